using AioGraphite.Cluster;
using AioGraphite.Naming;
using Xunit;

namespace AioGraphite.Tests.Cluster;

public sealed class CarbonRouterKeyTests
{
    [Theory]
    [InlineData("a.b.c")]
    [InlineData("x;b=2;a=1")]
    [InlineData("~x")]
    [InlineData("")]
    public void By_default_the_key_is_the_metric_as_sent(string metric)
    {
        Assert.Same(metric, CarbonRouterKey.ForMetric(metric));
        Assert.Same(metric, CarbonRouterKey.ForMetric(metric, normalizeTags: false));
    }

    // Expected values from graphite-carbon 1.1.7's TaggedSeries.parse(x).path (checked against Python by the parity tests).
    [Theory]
    [InlineData("a.b.c", "a.b.c")]
    [InlineData("x;b=2;a=1", "x;a=1;b=2")]
    [InlineData("~~x.y", "x.y")]
    [InlineData("x;name=other;k=v", "x;k=v")]
    [InlineData("x;k=1;k=2", "x;k=2")]
    [InlineData("x;a=2;a.b=1", "x;a.b=1;a=2")] // sorted as ";tag=value" strings: '.' sorts before '='
    [InlineData("x;k=v=w", "x;k=v=w")]
    [InlineData("x;\U0001F600=1;\uE000=2", "x;\uE000=2;\U0001F600=1")] // code-point order, not UTF-16 order
    [InlineData("http_requests{method=\"get\",code=\"200\"}", "http_requests;code=200;method=get")]
    [InlineData("m{a=\"x\\\"y\"}", "m;a=x\"y")]
    [InlineData("m{a=\"1\":,b=\"2\"}", "m;a=1;b=2")]
    public void Normalised_key_is_TaggedSeries_path(string metric, string expected)
    {
        Assert.True(CarbonRouterKey.TryNormalize(metric, out string? normalized));
        Assert.Equal(expected, normalized);
        Assert.Equal(expected, CarbonRouterKey.ForMetric(metric, normalizeTags: true));
    }

    [Theory]
    [InlineData("a.b;k=")]
    [InlineData("a.b;k=~v")]
    [InlineData("a.b;k!=v")]
    [InlineData("a.b;k^=v")]
    [InlineData("a.b;=v")]
    [InlineData("a.b;kv")]
    [InlineData("a.b;")]
    [InlineData(";k=v")]
    [InlineData("~~~")]
    [InlineData("~;k=v")]
    [InlineData("")]
    [InlineData("m{a=\"1\"}{b=\"2\"}")]
    [InlineData("{a=\"1\"}")]
    [InlineData("m{a=\"\"}")]
    [InlineData("m{a=\"1;2\"}")]
    public void Names_carbon_cannot_parse_are_routed_as_sent(string metric)
    {
        Assert.False(CarbonRouterKey.TryNormalize(metric, out _));
        Assert.Same(metric, CarbonRouterKey.ForMetric(metric, normalizeTags: true));
    }

    [Fact]
    public void Code_point_order_puts_astral_characters_after_the_top_of_the_BMP()
    {
        Assert.True(TaggedName.CompareCodePoints("\uFFFF", "\U00010000") < 0);
        Assert.True(TaggedName.CompareCodePoints("\uE000", "\U0001F600") < 0);
        Assert.True(TaggedName.CompareCodePoints("\uD7FF", "\uE000") < 0);
        Assert.True(TaggedName.CompareCodePoints("a", "ab") < 0);
        Assert.Equal(0, TaggedName.CompareCodePoints("ab", "ab"));
        Assert.True(TaggedName.CompareCodePoints("b", "a") > 0);
    }

    [Fact]
    public void Null_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => CarbonRouterKey.ForMetric(null!));
        Assert.Throws<ArgumentNullException>(() => CarbonRouterKey.ForMetric(null!, normalizeTags: true));
        Assert.Throws<ArgumentNullException>(() => CarbonRouterKey.TryNormalize(null!, out _));
    }
}
