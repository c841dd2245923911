using AioGraphite.OpenTelemetry;
using Xunit;

namespace AioGraphite.Extensions.Tests.OpenTelemetry;

public sealed class GraphiteMetricNameMapperTests
{
    private static readonly KeyValuePair<string, object?>[] HttpAttributes =
    [
        new("http.route", "/hello"),
        new("http.request.method", "GET"),
        new("http.response.status_code", 200),
        new("network.protocol.version", "1.1"),
    ];

    [Fact]
    public void Path_KeepsTheNameDots_SortsAttributesByKey_AndSanitizesKeysAndValues()
    {
        var mapper = new GraphiteMetricNameMapper { Prefix = "myapp" };

        string name = mapper.GetMetricName("http.server.request.duration", HttpAttributes, "count");

        Assert.Equal("myapp.http.server.request.duration.http_request_method.GET.http_response_status_code.200.http_route._hello.network_protocol_version.1_1.count", name);
    }

    [Fact]
    public void Path_AttributeOrderDoesNotMatter()
    {
        var mapper = GraphiteMetricNameMapper.Default;

        Assert.Equal(
            mapper.GetMetricName("m", HttpAttributes),
            mapper.GetMetricName("m", HttpAttributes.Reverse()));
    }

    [Fact]
    public void Path_WithoutAttributes_IsTheInstrumentName()
    {
        Assert.Equal("process.cpu.time", GraphiteMetricNameMapper.Default.GetMetricName("process.cpu.time", null));
        Assert.Equal("process.cpu.time.sum", GraphiteMetricNameMapper.Default.GetMetricName("process.cpu.time", [], "sum"));
    }

    [Fact]
    public void Path_WithoutKeys_HasOnlyTheValuesInKeyOrder()
    {
        var mapper = new GraphiteMetricNameMapper { IncludeAttributeKeys = false };

        Assert.Equal("http.server.request.duration.GET.200._hello.1_1", mapper.GetMetricName("http.server.request.duration", HttpAttributes));
    }

    [Theory]
    [InlineData("GET", "GET")]
    [InlineData("/api/orders/{id}", "_api_orders__id_")]
    [InlineData("a b;c=d", "a_b_c_d")]
    [InlineData("café", "caf_")]
    [InlineData("😀x", "_x")]
    [InlineData("under_score-dash", "under_score-dash")]
    [InlineData("*?[]{}", "______")]
    [InlineData("", "_")]
    public void Path_SanitizedValue_IsOneSafeSegment(string value, string expected)
    {
        string name = new GraphiteMetricNameMapper { IncludeAttributeKeys = false }.GetMetricName("m", [new("k", value)]);

        Assert.Equal("m." + expected, name);
    }

    [Theory]
    [InlineData("GET", "GET-")]
    [InlineData("/api/orders/{id}", "%2Fapi%2Forders%2F%7Bid%7D-")]
    [InlineData("café", "caf-dma")]
    [InlineData("1.1", "1%2E1-")]
    public void Path_EncodedValue_IsGraphiteEncoderWithSlashQuoted_AndDecodesBack(string value, string expected)
    {
        var mapper = new GraphiteMetricNameMapper { IncludeAttributeKeys = false, AttributeValueEncoding = GraphiteAttributeEncoding.Encode };

        string name = mapper.GetMetricName("m", [new("k", value)]);

        Assert.Equal("m." + expected, name);
        Assert.Equal(value, GraphiteEncoder.Decode(name[2..]));
    }

    [Fact]
    public void Path_EncodedValueWithALoneSurrogate_FallsBackToSanitizing()
    {
        var mapper = new GraphiteMetricNameMapper { IncludeAttributeKeys = false, AttributeValueEncoding = GraphiteAttributeEncoding.Encode };

        Assert.Equal("m.a_b", mapper.GetMetricName("m", [new("k", "a\uD800b")]));
    }

    [Theory]
    [InlineData(true, "true")]
    [InlineData(false, "false")]
    [InlineData(42L, "42")]
    [InlineData(-7, "-7")]
    [InlineData(1.5, "1_5")]
    [InlineData(1e-7, "1E-07")]
    [InlineData(null, "_")]
    public void Path_NonStringValues_UseTheInvariantCulture(object? value, string expected)
    {
        Assert.Equal("m.k." + expected, GraphiteMetricNameMapper.Default.GetMetricName("m", [new("k", value)]));
    }

    [Fact]
    public void Path_ArrayValues_AreJoinedWithCommas()
    {
        Assert.Equal("m.k.a_b", GraphiteMetricNameMapper.Default.GetMetricName("m", [new("k", new[] { "a", "b" })]));
        Assert.Equal("m.k.1_2_3", GraphiteMetricNameMapper.Default.GetMetricName("m", [new("k", new long[] { 1, 2, 3 })]));
    }

    [Fact]
    public void Path_InstrumentNameAndPrefix_AreSanitizedPerSegment_AndEmptySegmentsDropped()
    {
        var mapper = new GraphiteMetricNameMapper { Prefix = ".apps..shop." };

        Assert.Equal("apps.shop.db.client_operations.time", mapper.GetMetricName("db..client/operations.time", null));
    }

    [Fact]
    public void Tags_PutAttributesInGraphiteTagsSortedAsCarbonDoes()
    {
        var mapper = new GraphiteMetricNameMapper { Style = GraphiteNamingStyle.Tags, Prefix = "myapp" };

        string name = mapper.GetMetricName("http.server.request.duration", HttpAttributes, "count");

        Assert.Equal("myapp.http.server.request.duration.count;http.request.method=GET;http.response.status_code=200;http.route=/hello;network.protocol.version=1.1", name);
    }

    [Fact]
    public void Tags_ReplaceCharactersCarbonRejects_AndDropEmptyValues()
    {
        var mapper = new GraphiteMetricNameMapper { Style = GraphiteNamingStyle.Tags };

        string name = mapper.GetMetricName("m",
        [
            new("name", "reserved"),
            new("we!rd=key^", "semi;colon value"),
            new("tilde", "~home"),
            new("empty", ""),
            new("null", null),
            new("café", "naïve"),
        ]);

        Assert.Equal("m;_name=reserved;café=naïve;tilde=_home;we_rd_key_=semi_colon_value", name);
    }

    [Fact]
    public void Tags_WhenTwoKeysSanitizeAlike_TheFirstInKeyOrderWins()
    {
        var mapper = new GraphiteMetricNameMapper { Style = GraphiteNamingStyle.Tags };

        Assert.Equal("m;a_b=1", mapper.GetMetricName("m", [new("a_b", "2"), new("a b", "1")]));
    }

    [Fact]
    public void Tags_WithoutAttributes_IsAPlainName()
    {
        Assert.Equal("m.sum", new GraphiteMetricNameMapper { Style = GraphiteNamingStyle.Tags }.GetMetricName("m", null, "sum"));
    }

    [Theory]
    [InlineData(100.0, "bucket.le_100")]
    [InlineData(0.005, "bucket.le_0_005")]
    [InlineData(-5.0, "bucket.le_-5")]
    [InlineData(1e20, "bucket.le_1E_20")]
    [InlineData(double.PositiveInfinity, "bucket.le_inf")]
    public void BucketSuffix_NamesTheUpperBound(double bound, string expected)
    {
        Assert.Equal(expected, GraphiteMetricNameMapper.BucketSuffix(bound));
    }

    [Fact]
    public void SanitizeSegment_KeepsOnlySafeCharacters()
    {
        Assert.Equal("Az09_-", GraphiteMetricNameMapper.SanitizeSegment("Az09_-"));
        Assert.Equal("a_b_c_d", GraphiteMetricNameMapper.SanitizeSegment("a.b c\nd"));
        Assert.Equal(string.Empty, GraphiteMetricNameMapper.SanitizeSegment(string.Empty));
    }

    [Fact]
    public void EveryMappedName_IsAcceptedByTheClient()
    {
        var mappers = new[]
        {
            GraphiteMetricNameMapper.Default,
            new GraphiteMetricNameMapper { AttributeValueEncoding = GraphiteAttributeEncoding.Encode },
            new GraphiteMetricNameMapper { Style = GraphiteNamingStyle.Tags },
        };
        string[] nasty = ["", " ", "\n", ";", "~", "=", "!", "^", "\u0000", "\uD800", "é", "😀", "a.b", "/x/", "*", "name"];
        var protocol = new PlaintextProtocol();
        foreach (var mapper in mappers)
        {
            foreach (string key in nasty.Where(k => k.Length > 0))
            {
                foreach (string value in nasty)
                {
                    string name = mapper.GetMetricName(key, [new(key, value), new("k2", value)], "count");
                    protocol.GenerateMessage([new Datapoint(name, 1, 1)]); // throws when the client would reject the name
                }
            }
        }
    }
}
