using AioGraphite.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Tests.Protocols;

/// <summary>
/// <see cref="GraphiteDatapointValidator"/>: the client's own checks without sending; its verdict and message are the
/// client's for every kind of point, with the client's prefix, default tags and transport.
/// </summary>
public sealed class GraphiteDatapointValidatorTests
{
    private static readonly string LongName = "a;t=" + new string('b', 16_340); // 16357-byte line: fits, but not with a 40-byte prefix (tagged: untagged, its node would be too long to store)

    public static TheoryData<string?, double, long?, string> Invalid() => new()
    {
        { null, 1, 1, "null" },
        { "", 1, 1, "empty" },
        { "a b", 1, 1, "space" },
        { "a\nb", 1, 1, "newline" },
        { "cpu;host", 1, 1, "tag" },
        { "a.b", double.NaN, 1, "finite" },
        { "a.b", double.PositiveInfinity, 1, "finite" },
        { "a.b", 1, -1, "negative" },
        { "a;t=" + new string('b', 16_370), 1.5, 1_700_000_000, "16384" },
        { "a.b", 1, 1_700_000_000_000, "looks like milliseconds" },
        { "a.b", 1, 4_294_967_296, "past 4294967295" },
        { "a." + new string('n', 256) + ".c", 1, 1, "256 bytes" },
        { "a." + new string('n', 252), 1, 1, "252 bytes" },
    };

    public static TheoryData<string, double, long?> Valid() => new()
    {
        { "a.b.c", 1, 1_700_000_000 },
        { "cpu;host=web1;dc=eu", -2.5, null },
        { "caf\u00e9.\u4e2d\u6587", 0, 0 },
        { LongName, 1, 1_700_000_000 },
        { "a." + new string('n', 255) + "." + new string('l', 251), 1, 4_294_967_295 },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void TryValidate_InvalidPoint_IsFalseWithTheReason(string? metric, double value, long? timestamp, string reasonFragment)
    {
        Assert.False(GraphiteDatapointValidator.Default.TryValidate(new Datapoint(metric!, value, timestamp), out string? reason));
        Assert.Contains(reasonFragment, reason, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void TryValidate_ValidPoint_IsTrueWithoutReason(string metric, double value, long? timestamp)
    {
        Assert.True(GraphiteDatapointValidator.Default.TryValidate(new Datapoint(metric, value, timestamp), out string? reason));
        Assert.Null(reason);
        GraphiteDatapointValidator.Default.Validate(new Datapoint(metric, value, timestamp));
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Validate_ThrowsWhatSendAsyncThrows(string? metric, double value, long? timestamp, string reasonFragment)
    {
        var point = new Datapoint(metric!, value, timestamp);
        await using GraphiteClient client = Client(new GraphiteClientOptions());
        ArgumentException sent = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await client.SendAsync(point.Metric, point.Value, point.Timestamp, TestContext.Current.CancellationToken));
        ArgumentException validated = Assert.ThrowsAny<ArgumentException>(() => GraphiteDatapointValidator.Default.Validate(point));

        Assert.Contains(reasonFragment, validated.Message, StringComparison.Ordinal);
        Assert.Equal(sent.Message.Replace("'metric'", "'point'", StringComparison.Ordinal), validated.Message);
    }

    [Fact]
    public void ClientOptions_PrefixDefaultTagsAndUdp_CountAsTheyDoForTheClient()
    {
        var fits = new Datapoint(LongName, 1, 1_700_000_000);
        Assert.True(GraphiteDatapointValidator.Default.TryValidate(fits, out _));

        var prefixed = new GraphiteDatapointValidator(new GraphiteClientOptions { MetricPrefix = "prefix.long.enough.to.tip.the.line.over" });
        Assert.False(prefixed.TryValidate(fits, out string? reason));
        Assert.Contains("16384", reason, StringComparison.Ordinal);

        var udp = new GraphiteDatapointValidator(new GraphiteClientOptions { Transport = GraphiteTransport.Udp, MaxDatagramBytes = 512 });
        Assert.False(udp.TryValidate(new Datapoint("a;t=" + new string('b', 600), 1, 1), out reason));
        Assert.Contains("UDP datagram", reason, StringComparison.Ordinal);

        var tagged = new GraphiteDatapointValidator(new GraphiteClientOptions { DefaultTags = new Dictionary<string, string> { ["env"] = "prod" } });
        Assert.True(tagged.TryValidate(new Datapoint("cpu;host=web1", 1, 1), out _));
        Assert.False(tagged.TryValidate(new Datapoint("~~", 1, 1), out reason)); // a series name of only "~" cannot carry tags
        Assert.NotNull(reason);
    }

    [Fact]
    public void InvalidOptions_AreRejectedAsTheClientRejectsThem()
    {
        Assert.Throws<ArgumentException>(() => new GraphiteDatapointValidator(new GraphiteClientOptions { MetricPrefix = "bad prefix" }));
        Assert.Throws<ArgumentNullException>(() => new GraphiteDatapointValidator(null!));
    }

    [Fact]
    public async Task Verdicts_AgreeWithTheClientsTrySend_OnEveryKindOfPoint()
    {
        var options = new GraphiteClientOptions { MetricPrefix = "p", DefaultTags = new Dictionary<string, string> { ["env"] = "prod" } };
        var validator = new GraphiteDatapointValidator(options);
        await using GraphiteClient client = Client(options);
        var random = new Random(12);
        string[] pieces = ["a", "b.c", ";host=web1", ";", " ", "~", "\u00e9", "=", "..", "x;y=z", "\t", new string('n', 4000)];
        for (int i = 0; i < 2000; i++)
        {
            string metric = string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => pieces[random.Next(pieces.Length)]));
            double value = random.Next(10) == 0 ? double.NaN : random.NextDouble() * 1e6;
            long timestamp = random.Next(10) switch { 0 => -1, 1 => 1_700_000_000_000, 2 => 4_294_967_295, _ => 1_700_000_000 };
            bool expected = validator.TryValidate(new Datapoint(metric, value, timestamp), out string? reason);
            Assert.True(expected == client.TrySend(metric, value, timestamp), $"{metric} {value} {timestamp}: validator says {reason ?? "valid"}");
        }
    }

    private static GraphiteClient Client(GraphiteClientOptions options)
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var carbon = new MemoryCarbon(time);
        return GraphiteClient.Create("memory", 2003, options: options with { TimeProvider = time, ConnectionFactory = _ => carbon, DrainTimeout = TimeSpan.Zero });
    }
}
