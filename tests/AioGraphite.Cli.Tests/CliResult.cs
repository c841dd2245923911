using Xunit;

namespace AioGraphite.Cli.Tests;

/// <summary>What one in-process run of the tool produced.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error, TimeSpan Elapsed)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Asserts that standard error holds no stack trace and no exception type name.</summary>
    public CliResult NoStackTrace()
    {
        Assert.DoesNotContain("   at ", Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Out, StringComparison.Ordinal);
        return this;
    }

    /// <summary>Asserts exactly one line on standard error and returns it.</summary>
    public string SingleErrorLine()
    {
        NoStackTrace();
        return Assert.Single(ErrorLines);
    }

    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.00} s\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
