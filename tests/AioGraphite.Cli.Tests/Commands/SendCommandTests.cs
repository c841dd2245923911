using System.Globalization;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Commands;

/// <summary><c>send</c> without a server: what happens when carbon cannot be reached.</summary>
public sealed class SendCommandTests
{
    private static string ClosedPort() => FreePorts.AllocateTcp().ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Send_ClosedPort_ExitsTwoWithOneLineNamingHostAndPort()
    {
        string port = ClosedPort();
        CliResult result = await CliRun.RunAsync(["send", "test.cli.closed", "42", "--port", port, "--timeout", "2"]);
        Assert.True(result.ExitCode == 2, result.ToString());
        string line = result.SingleErrorLine();
        Assert.StartsWith("aiographite send: Unable to connect to Graphite at 127.0.0.1:" + port, line, StringComparison.Ordinal);
        Assert.Contains("refused", line, StringComparison.OrdinalIgnoreCase);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(2), result.ToString());
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Send_Pickle_DefaultsToPort2004()
    {
        // Whether or not something listens on 2004 here, the port it tried is named when it fails; when it
        // succeeds the run must have used 2004 as well, so only the failure is checked.
        CliResult result = await CliRun.RunAsync(["send", "test.cli.pickle", "1", "--protocol", "pickle", "--host", "localhost", "--timeout", "1"]);
        if (result.ExitCode != 0)
        {
            Assert.Contains("localhost:2004", result.SingleErrorLine(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Send_GraphiteHostVariable_IsTheDefaultHost_AndHostOptionWins()
    {
        string port = ClosedPort();
        var environment = new Dictionary<string, string> { ["GRAPHITE_HOST"] = "localhost" };
        CliResult fromVariable = await CliRun.RunAsync(["send", "a.b", "1", "--port", port], environment: environment);
        Assert.Contains($"Graphite at localhost:{port} (tcp)", fromVariable.SingleErrorLine(), StringComparison.Ordinal);

        CliResult fromOption = await CliRun.RunAsync(["send", "a.b", "1", "--port", port, "--host", "127.0.0.1"], environment: environment);
        Assert.Contains($"Graphite at 127.0.0.1:{port} (tcp)", fromOption.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_UnresolvableHost_ExitsTwoWithOneLine()
    {
        CliResult result = await CliRun.RunAsync(["send", "a.b", "1", "--host", "no-such-host.invalid", "--timeout", "2"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no-such-host.invalid", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1700000000000", "milliseconds; divide by 1000")]
    [InlineData("1700000000000000", "microseconds; divide by 1000000")]
    public async Task Send_TimestampInASmallerUnit_ExitsTwoSayingWhatToDivideBy_WithoutConnecting(string timestamp, string hint)
    {
        CliResult result = await CliRun.RunAsync(["send", "a.b", "1.5", timestamp, "--port", ClosedPort()]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal($"aiographite send: Datapoint 'a.b' was rejected: its timestamp {timestamp} (value 1.5) is past 4294967295 (2106-02-07 06:28:15 UTC), the latest whisper can store: carbon would take the point, fail to write it and lose the points of the series it holds with it; it looks like {hint}. Nothing of it was sent.", result.SingleErrorLine());
    }

    [Fact]
    public async Task Send_PathNodeTooLongForAFileName_ExitsTwoWithoutConnecting()
    {
        CliResult result = await CliRun.RunAsync(["send", "a." + new string('n', 256) + ".b", "1", "--port", ClosedPort()]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("is 256 bytes in UTF-8, over the 255 a directory name can have", result.SingleErrorLine(), StringComparison.Ordinal);
    }
}

