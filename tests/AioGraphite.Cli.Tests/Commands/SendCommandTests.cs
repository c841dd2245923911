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
}
