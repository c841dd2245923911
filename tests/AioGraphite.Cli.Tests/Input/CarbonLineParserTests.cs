using AioGraphite.Cli.Input;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Cli.Tests.Input;

public sealed class CarbonLineParserTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_123);

    private readonly CarbonLineParser _parser = new(new FakeTimeProvider(Now));

    [Theory]
    [InlineData("a.b.c 42 1700000000", "a.b.c", 42.0, 1_700_000_000L)]
    [InlineData("a.b.c\t-1.5\t1700000000", "a.b.c", -1.5, 1_700_000_000L)]
    [InlineData("   a.b.c    0.25   1700000000   ", "a.b.c", 0.25, 1_700_000_000L)]
    [InlineData("a.b.c 1e3 1700000000\r", "a.b.c", 1000.0, 1_700_000_000L)]
    [InlineData("a.b.c\u001f7\u001c1700000000", "a.b.c", 7.0, 1_700_000_000L)]
    [InlineData("a.b.c 1 1700000000.999", "a.b.c", 1.0, 1_700_000_000L)]
    [InlineData("cpu;host=web1 3 1700000000", "cpu;host=web1", 3.0, 1_700_000_000L)]
    [InlineData("a.b 1_000 1_700_000_000", "a.b", 1000.0, 1_700_000_000L)]
    public void TryParse_ThreeFields_GivesMetricValueAndTimestamp(string line, string metric, double value, long timestamp)
    {
        Assert.True(_parser.TryParse(line, out Datapoint point, out string? error), error);
        Assert.Equal(new Datapoint(metric, value, timestamp), point);
    }

    [Theory]
    [InlineData("a.b.c 42")]
    [InlineData("  a.b.c   42  \r")]
    public void TryParse_TwoFields_UsesNow(string line)
    {
        Assert.True(_parser.TryParse(line, out Datapoint point, out _));
        Assert.Equal(new Datapoint("a.b.c", 42, Now.ToUnixTimeSeconds()), point);
    }

    [Theory]
    [InlineData("a.b.c 42 -1")]
    [InlineData("a.b.c 42 -1.9")]
    public void TryParse_TimestampMinusOne_MeansNowAsInCarbon(string line)
    {
        Assert.True(_parser.TryParse(line, out Datapoint point, out _));
        Assert.Equal(Now.ToUnixTimeSeconds(), point.Timestamp);
    }

    [Theory]
    [InlineData("", "found 0 fields")]
    [InlineData("a.b.c", "found 1 field")]
    [InlineData("a.b.c 1 2 3", "found 4 fields")]
    [InlineData("a b.c 1 2", "found 4 fields")]
    [InlineData("a.b.c abc 1700000000", "value 'abc' is not a number")]
    [InlineData("a.b.c 1,5 1700000000", "value '1,5' is not a number")]
    [InlineData("a.b.c nan 1700000000", "value 'nan' is not a finite number")]
    [InlineData("a.b.c inf", "value 'inf' is not a finite number")]
    [InlineData("a.b.c 1e999", "value '1e999' is not a finite number")]
    [InlineData("a.b.c 1 yesterday", "timestamp 'yesterday' is not a number")]
    [InlineData("a.b.c 1 nan", "timestamp 'nan' is not a finite number")]
    [InlineData("a.b.c 1 -2", "timestamp '-2' is negative")]
    [InlineData("a.b.c 1 1e30", "timestamp '1e30' is too large")]
    public void TryParse_InvalidLine_SaysWhy(string line, string expected)
    {
        Assert.False(_parser.TryParse(line, out _, out string? error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_LongField_IsShortenedInTheMessage()
    {
        string value = new('x', 500);
        Assert.False(_parser.TryParse($"a {value} 1", out _, out string? error));
        Assert.Contains("(500 characters)", error, StringComparison.Ordinal);
        Assert.True(error!.Length < 200);
    }

    [Fact]
    public void TryParse_DoesNotJudgeMetricNames_TheClientDoes()
    {
        Assert.True(_parser.TryParse("a;;b 1 2", out Datapoint point, out _));
        Assert.Equal("a;;b", point.Metric);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData(" \t\r", true)]
    [InlineData("\u001c", true)]
    [InlineData(" a ", false)]
    public void IsBlank_OnlyWhitespace(string line, bool blank)
    {
        Assert.Equal(blank, CarbonLineParser.IsBlank(line));
    }
}
