using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Commands;

/// <summary>User mistakes: exit code 2 and a clear message naming the mistake, never a stack trace, no connection needed.</summary>
public sealed class UsageErrorTests
{
    // Nothing listens here: errors must be found before any connection is tried.
    private static readonly string ClosedPort = FreePorts.AllocateTcp().ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static TheoryData<string[], string> ParseErrors() => new()
    {
        { [], "Required command was not provided" },
        { ["bogus"], "bogus" },
        { ["send"], "Required argument 'METRIC' missing" },
        { ["send", "a.b"], "Required argument 'VALUE' missing" },
        { ["send", "a.b", "1", "2", "3"], "'3'" },
        { ["send", "a.b", "1", "--port", "0"], "--port must be a number between 1 and 65535, not '0'" },
        { ["send", "a.b", "1", "--port", "http"], "--port must be a number between 1 and 65535, not 'http'" },
        { ["send", "a.b", "1", "--protocol", "json"], "'json'" },
        { ["send", "a.b", "1", "--timeout", "0"], "--timeout must be a number of seconds above 0" },
        { ["send", "a.b", "1", "--timeout", "soon"], "--timeout must be a number of seconds above 0 and at most 86400, not 'soon'" },
        { ["send", "a.b", "1", "--host", " "], "--host must not be empty" },
        { ["pipe", "--frobnicate"], "--frobnicate" },
        { ["encode"], "Required argument 'TEXT' missing" },
        { ["decode"], "Required argument 'TEXT' missing" },
    };

    [Theory]
    [MemberData(nameof(ParseErrors))]
    public async Task Parse_Mistake_ExitsTwoWithAMessageAndAHint(string[] args, string expected)
    {
        CliResult result = await CliRun.RunAsync(args);
        Assert.True(result.ExitCode == 2, result.ToString());
        result.NoStackTrace();
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.StartsWith("aiographite", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains("--help' for usage.", result.ErrorLines[^1], StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    public static TheoryData<string[], string> PointErrors() => new()
    {
        { ["send", "a b", "1"], "'a b'" },
        { ["send", "", "1"], "''" },
        { ["send", "a\nb", "1"], "rejected" },
        { ["send", "a.b", "abc"], "Value 'abc' is not a number." },
        { ["send", "a.b", "nan"], "Value 'nan' is not a finite number" },
        { ["send", "a.b", "1", "yesterday"], "Timestamp 'yesterday' is not a number." },
        { ["send", "a.b", "1", "-5"], "Timestamp '-5' is negative." },
        { ["send", "a.b", "1", "--tag", "host"], "--tag 'host' is not NAME=VALUE" },
        { ["send", "a.b", "1", "--tag", "=web1"], "--tag '=web1' is not NAME=VALUE" },
        { ["send", "a.b", "1", "--tag", "host="], "--tag 'host=' is not NAME=VALUE" },
        { ["send", "a.b", "1", "--tag", "host=~web"], "'~web'" },
        { ["send", "a.b", "1", "--tag", "a!b=1"], "'a!b'" },
        { ["send", "a.b", "1", "--tag", "h=1", "--tag", "h=2"], "'h' is given more than once" },
        { ["send", "a;b", "1", "--tag", "h=1"], "'a;b'" },
        { ["pipe", "--input", "/nonexistent/metrics.txt"], "Cannot read the input file '/nonexistent/metrics.txt'" },
        { ["decode", "caf-dma", "%zz"], "Cannot decode '%zz'" },
    };

    [Theory]
    [MemberData(nameof(PointErrors))]
    public async Task Command_Mistake_ExitsTwoWithOneLineNamingIt(string[] args, string expected)
    {
        CliResult result = await CliRun.RunAsync(args[0] is "send" or "pipe" ? [.. args, "--port", ClosedPort] : args);
        Assert.True(result.ExitCode == 2, result.ToString());
        string line = result.SingleErrorLine();
        Assert.StartsWith($"aiographite {args[0]}: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Unable to connect", line, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }
}
