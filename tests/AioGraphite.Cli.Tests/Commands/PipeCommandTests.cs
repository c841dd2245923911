using System.Globalization;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Commands;

/// <summary><c>pipe</c> without a server: empty input, and carbon unreachable beyond the timeout.</summary>
public sealed class PipeCommandTests
{
    private static string ClosedPort() => FreePorts.AllocateTcp().ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Pipe_EmptyInput_ExitsZeroWithASummary_WithoutNeedingCarbon()
    {
        CliResult result = await CliRun.RunAsync(["pipe", "--port", ClosedPort()], standardInput: "\n  \n");
        Assert.True(result.ExitCode == 0, result.ToString());
        string summary = result.SingleErrorLine();
        Assert.StartsWith("aiographite pipe: 2 lines read, 0 points delivered, 0 invalid, 2 blank in ", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipe_ClosedPort_GivesUpAfterTheTimeout_ExitTwo_NamingHostAndPort()
    {
        string port = ClosedPort();
        CliResult result = await CliRun.RunAsync(["pipe", "--port", port, "--timeout", "1"], standardInput: "a.b 1 1700000000\nbad\na.c 2\n");
        Assert.True(result.ExitCode == 2, result.ToString());
        result.NoStackTrace();
        Assert.Equal(
            [
                "aiographite pipe: line 2: expected 'metric value [timestamp]' but found 1 field",
                $"aiographite pipe: 3 lines read, 0 points delivered, 1 invalid in ",
                $"aiographite pipe: Graphite at 127.0.0.1:{port} (plaintext) consumed nothing for more than 1 s (unreachable, or not reading): gave up at line 3 with 2 of 2 points not delivered.",
            ],
            result.ErrorLines.Select((line, i) => i == 1 ? line[..line.IndexOf(" in ", StringComparison.Ordinal)] + " in " : line));
        Assert.InRange(result.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Pipe_ErrorIsATerminal_DrawsALiveProgressLine()
    {
        CliResult result = await CliRun.RunAsync(["pipe", "--port", ClosedPort(), "--timeout", "1.5"], standardInput: "a.b 1\n", errorIsTerminal: true);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("\r1 line read, 0 points delivered (0/s), 0 invalid", result.Error, StringComparison.Ordinal);
        Assert.Contains("; waiting for carbon at 127.0.0.1:", result.Error, StringComparison.Ordinal);

        // The progress line is wiped before the summary.
        string beforeSummary = result.Error[..result.Error.IndexOf("aiographite pipe: 1 line read", StringComparison.Ordinal)];
        Assert.EndsWith("\r", beforeSummary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipe_ErrorRedirected_DrawsNoProgressLine()
    {
        CliResult result = await CliRun.RunAsync(["pipe", "--port", ClosedPort(), "--timeout", "1"], standardInput: "a.b 1\n");
        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain('\r', result.Error);
    }
}
