using AioGraphite.Naming;
using AioGraphite.Protocols;
using Xunit;

namespace AioGraphite.Tests.Protocols;

public sealed class DatapointRulesTests
{
    public static TheoryData<string, string> BadNames() => new()
    {
        { "", "empty" },
        { "a b", "a space" },
        { "a\nb", "newline" },
        { "a\rb", "carriage return" },
        { "a\tb", "tab" },
        { "a\0b", "NUL" },
        { "a\u007fb", "U+007F" },
        { "a\u0085b", "U+0085" },
        { "a\u00a0b", "U+00A0" },
        { "a\u2028b", "U+2028" },
        { "a\u3000b", "U+3000" },
        { "a\u001fb", "U+001F" },
        { "a\ud800b", "surrogate" },
        { "evil.x 1 2\ninjected.y", "a space" },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public void Check_NameWithWhitespaceOrControlOrBrokenUtf16_IsRejectedWithTheReason(string metric, string reasonFragment)
    {
        string? reason = DatapointRules.Check(metric, 1, 1, 0, 0, MetricNameRules.MaxLineBytes, out _);
        Assert.NotNull(reason);
        Assert.Contains(reasonFragment, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.b.c")]
    [InlineData("caf\u00e9.\u4e2d\u6587.\U0001F600")]
    [InlineData("a-b_c:d#e~f/g%20")]
    [InlineData("cpu;host=web1;dc=eu")]
    [InlineData("x;t=v=w")]
    public void Check_ValidName_IsAccepted(string metric) =>
        Assert.Null(DatapointRules.Check(metric, 1, 1, 0, 0, MetricNameRules.MaxLineBytes, out _));

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Check_NonFiniteValue_IsRejected(double value) =>
        Assert.Contains("not a finite number", DatapointRules.Check("a", value, 1, 0, 0, MetricNameRules.MaxLineBytes, out _), StringComparison.Ordinal);

    [Fact]
    public void Check_NegativeTimestamp_IsRejected() =>
        Assert.Contains("negative", DatapointRules.Check("a", 1, -1, 0, 0, MetricNameRules.MaxLineBytes, out _), StringComparison.Ordinal);

    [Fact]
    public void Check_LineOfExactly16384Bytes_IsAcceptedAndOneMoreIsRejected()
    {
        // "name 1 1700000000" : name + 1 + 1 + 1 + 10. Tagged: an untagged name that long has nodes no file system takes.
        string fits = "m;t=" + new string('a', MetricNameRules.MaxLineBytes - 13 - 4);
        Assert.Null(DatapointRules.Check(fits, 1, 1_700_000_000, 0, 0, MetricNameRules.MaxLineBytes, out _));
        string tooLong = fits + "a";
        string? reason = DatapointRules.Check(tooLong, 1, 1_700_000_000, 0, 0, MetricNameRules.MaxLineBytes, out _);
        Assert.Contains("16385 bytes", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LongNameCountsUtf8BytesNotChars()
    {
        string name = "m;t=" + new string('\u00e9', 8188); // 8192 chars, 16380 UTF-8 bytes: the line is 16393 bytes
        string? reason = DatapointRules.Check(name, 1, 1_700_000_000, 0, 0, MetricNameRules.MaxLineBytes, out int utf8);
        Assert.Equal(16380, utf8);
        Assert.Contains("over the limit", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(";a=b", "empty")]
    [InlineData("~~~;a=b", "only '~'")]
    [InlineData("m;a", "not of the form")]
    [InlineData("m;=b", "not of the form")]
    [InlineData("m;a=", "empty")]
    [InlineData("m;a!x=b", "'!'")]
    [InlineData("m;a^x=b", "'^'")]
    [InlineData("m;a=~b", "starts with '~'")]
    [InlineData("m;a=b;", "not of the form")]
    public void Check_TaggedNameBreakingCarbonsRules_IsRejected(string metric, string fragment)
    {
        string? reason = DatapointRules.Check(metric, 1, 1, 0, 0, MetricNameRules.MaxLineBytes, out _);
        Assert.NotNull(reason);
        Assert.Contains(fragment, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejected_QuotesControlCharactersVisibly()
    {
        ArgumentException ex = DatapointRules.Rejected("a\nb", "reason", "metric");
        Assert.Contains("'a\\nb'", ex.Message, StringComparison.Ordinal);
        Assert.Equal("metric", ex.ParamName);
    }
}
