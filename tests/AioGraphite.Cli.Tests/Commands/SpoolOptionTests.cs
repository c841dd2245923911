using Xunit;

namespace AioGraphite.Cli.Tests.Commands;

/// <summary><c>--spool DIR</c> of <c>pipe</c> and <c>send</c> where no carbon is needed: usage errors and a spool that cannot be used.</summary>
public sealed class SpoolOptionTests
{
    [Theory]
    [InlineData("pipe")]
    [InlineData("send", "a.b", "1")]
    public async Task Spool_Empty_IsAUsageError_ExitTwo(string command, params string[] rest)
    {
        CliResult result = await CliRun.RunAsync([command, .. rest, "--spool", " "]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"aiographite {command}: --spool must name a directory.", result.ErrorLines);
    }

    [Theory]
    [InlineData("pipe")]
    [InlineData("send", "a.b", "1")]
    public async Task Spool_DirectoryThatCannotBeCreated_OneLineNamingThePath_ExitTwo(string command, params string[] rest)
    {
        string file = Path.Combine(Path.GetTempPath(), $"aiographite-cli-not-a-dir-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, "x", TestContext.Current.CancellationToken);
        try
        {
            string spool = Path.Combine(file, "spool");
            CliResult result = await CliRun.RunAsync([command, .. rest, "--port", "9", "--spool", spool]);
            Assert.True(result.ExitCode == 2, result.ToString());
            string line = result.SingleErrorLine();
            Assert.StartsWith($"aiographite {command}: Cannot use the spool directory '{spool}", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
