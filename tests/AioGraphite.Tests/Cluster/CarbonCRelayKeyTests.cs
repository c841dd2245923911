using AioGraphite.Cluster;
using Xunit;

namespace AioGraphite.Tests.Cluster;

/// <summary>
/// carbon-c-relay's name rewrite and hash key (docs/notes/carbon-ch-placement.md, facts B, C, C2; the Python model of
/// the parity tests checks the same on every corpus name).
/// </summary>
public sealed class CarbonCRelayKeyTests
{
    [Theory]
    [InlineData("a.b.c", "a.b.c", "a.b.c")]
    [InlineData("A-Z_0:9#x.y", "A-Z_0:9#x.y", "A-Z_0:9#x.y")]
    [InlineData("a@b.c", "a_b.c", "a_b.c")]
    [InlineData("a/b(c)*d!e%f", "a_b_c__d_e_f", "a_b_c__d_e_f")]
    [InlineData("caf\u00e9.x", "caf__.x", "caf__.x")] // é is two UTF-8 bytes: two underscores
    [InlineData("smile\U0001F600", "smile____", "smile____")]
    [InlineData("a..b...c", "a.b.c", "a.b.c")]
    [InlineData(".lead.x", "lead.x", "lead.x")]
    [InlineData("...lead", "lead", "lead")]
    [InlineData("trail.x.", "trail.x", "trail.x")]
    [InlineData("trail.x..", "trail.x", "trail.x")]
    [InlineData("a+b=c", "a_b_c", "a_b_c")]
    [InlineData("a\0b", "a_b", "a_b")]
    public void Untagged_names_are_rewritten_and_hashed_whole(string metric, string forwarded, string key)
    {
        Assert.Equal(forwarded, CarbonCRelayForwardedName.Of(metric));
        Assert.Equal(key, CarbonCRelayKey.ForMetric(metric));
    }

    [Theory]
    [InlineData("a.b;k=v;c=d", "a.b;k=v;c=d", "a.b")] // tags kept in the order sent, not hashed
    [InlineData("a.b;z=1;a=2", "a.b;z=1;a=2", "a.b")]
    [InlineData("my@name..x.;t@g=v@l;a=b", "my_name.x.;t@g=v@l;a=b", "my_name.x.")] // trailing dot of a tagged path kept
    [InlineData("a.b.;k=v", "a.b.;k=v", "a.b.")]
    [InlineData("x%y;k=a..b", "x_y;k=a.b", "x_y")] // '..' collapses inside tags too
    [InlineData("a;.k=v", "a;k=v", "a")] // no dot right after the first ';'
    [InlineData("a;k=v.", "a;k=v.", "a")]
    [InlineData("a;k=v;;x", "a;k=v;;x", "a")] // a later ';' is an ordinary tag byte
    [InlineData("a;k=\u00e9", "a;k=\u00e9", "a")]
    [InlineData(".x..y;k=v", "x.y;k=v", "x.y")]
    [InlineData(";k=v", ";k=v", "")]
    public void Tagged_names_hash_only_the_rewritten_path(string metric, string forwarded, string key)
    {
        Assert.Equal(forwarded, CarbonCRelayForwardedName.Of(metric));
        Assert.Equal(key, CarbonCRelayKey.ForMetric(metric));
    }

    [Fact]
    public void Every_tag_order_and_value_of_a_path_has_one_key()
    {
        Assert.Equal(CarbonCRelayKey.ForMetric("cpu.load"), CarbonCRelayKey.ForMetric("cpu.load;host=a;dc=x"));
        Assert.Equal(CarbonCRelayKey.ForMetric("cpu.load;dc=x;host=a"), CarbonCRelayKey.ForMetric("cpu.load;host=b"));
    }

    [Theory]
    [InlineData(".")]
    [InlineData("...")]
    public void A_name_of_dots_gives_the_empty_key(string metric)
    {
        Assert.Equal(string.Empty, CarbonCRelayKey.ForMetric(metric));
        Assert.Equal(string.Empty, CarbonCRelayForwardedName.Of(metric));
    }

    [Theory]
    [InlineData("a.b c", "a.b")]
    [InlineData("a.b.\tc", "a.b")]
    [InlineData("a;k=v w", "a")]
    [InlineData("a.b\nc", "a.b")]
    public void The_name_ends_where_the_relay_s_field_ends(string metric, string key)
    {
        Assert.Equal(key, CarbonCRelayKey.ForMetric(metric));
    }

    [Theory]
    [InlineData("a.b.c", true)]
    [InlineData("a-b_c:d#e.F0", true)]
    [InlineData("a.b;z=1;a=2", true)]
    [InlineData("a.b;t@g=v@l", true)]
    [InlineData("a..b", false)]
    [InlineData("a.b.", false)]
    [InlineData(".a", false)]
    [InlineData("a%2Eb", false)]
    [InlineData("a;k=x..y", false)]
    public void Names_forwarded_unchanged_are_known(string metric, bool kept)
    {
        Assert.Equal(kept, CarbonCRelayForwardedName.IsKeptAsSent(metric));
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => CarbonCRelayKey.ForMetric(null!));
        Assert.Throws<ArgumentException>(() => CarbonCRelayKey.ForMetric("a\ud800b"));
    }
}
