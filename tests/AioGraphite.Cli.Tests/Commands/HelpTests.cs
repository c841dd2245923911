using Xunit;

namespace AioGraphite.Cli.Tests.Commands;

public sealed class HelpTests
{
    public static TheoryData<string[]> Commands() => new([], ["send"], ["pipe"], ["encode"], ["decode"], ["spool"], ["spool", "status"], ["spool", "verify"], ["spool", "drain"]);

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_EveryCommand_PrintsUsageOptionsAndExamples(string[] command)
    {
        foreach (string flag in new[] { "--help", "-h" })
        {
            CliResult result = await CliRun.RunAsync([.. command, flag]);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Empty(result.Error);
            Assert.Contains("Usage:", result.Out, StringComparison.Ordinal);
            Assert.Contains($"aiographite {string.Join(' ', command)}".TrimEnd(), result.Out, StringComparison.Ordinal);
            Assert.Contains("--help", result.Out, StringComparison.Ordinal);
            Assert.Contains("Examples:", result.Out, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("send")]
    [InlineData("pipe")]
    public async Task Help_SendingCommands_DocumentHostPortProtocolAndTimeout(string command)
    {
        CliResult result = await CliRun.RunAsync([command, "--help"]);
        foreach (string option in new[] { "--host", "--port", "--protocol", "--timeout", "GRAPHITE_HOST", "plaintext|pickle|udp", "2004" })
        {
            Assert.Contains(option, result.Out, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("send")]
    [InlineData("pipe")]
    public async Task Help_SendingCommands_DocumentTheSpool(string command)
    {
        CliResult result = await CliRun.RunAsync([command, "--help"]);
        string help = string.Join(' ', result.Out.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--spool <DIR>", help, StringComparison.Ordinal);
        Assert.Contains("disk spool", help, StringComparison.Ordinal);
        Assert.Contains("the next run with the same DIR sends it first", help, StringComparison.Ordinal);
        Assert.Contains("One process per DIR", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_DefaultHost_ComesFromGraphiteHost()
    {
        CliResult result = await CliRun.RunAsync(["send", "--help"], environment: new Dictionary<string, string> { ["GRAPHITE_HOST"] = "graphite.example.com" });
        Assert.Contains("[default: graphite.example.com]", string.Join(' ', result.Out.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_WithOtherwiseInvalidArguments_StillShowsHelp()
    {
        CliResult result = await CliRun.RunAsync(["send", "--port", "0", "--help"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Out, StringComparison.Ordinal);
    }
}
