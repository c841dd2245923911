using AioGraphite.IntegrationTests.Infrastructure;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Core;

/// <summary>
/// What carbon drops after it consumed the points, by its own settings: the documented end of the delivery guarantee
/// (README, "What carbon itself still drops"). The client cannot see these losses; these tests pin carbon's behaviour.
/// </summary>
public sealed class CarbonOwnDropsTests
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MaxCreatesPerMinute_PointsOfNewSeriesPastTheBucket_AreDroppedNotDelayed_ThoughDelivered()
    {
        // MAX_CREATES_PER_MINUTE = 60: a bucket of 60 creates, one more per second.
        const int Series = 80;
        await using CarbonCacheServer server = await CarbonCacheServer.StartAsync(new CarbonCacheOptions
        {
            ExtraSettings = new Dictionary<string, string> { ["MAX_CREATES_PER_MINUTE"] = "60" },
        });
        long ts = Wire.Now() - 100;
        string[] names = [.. Enumerable.Range(0, Series).Select(i => $"it.creates.s{i:D2}")];
        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", server.LinePort, cancellationToken: Ct))
        {
            await client.SendMultipleAsync([.. names.Select(n => new Datapoint(n, 1, ts))], cancellationToken: Ct);
            await client.WaitForDeliveryAsync(Ct);
            Assert.Equal(Series, client.Statistics.PointsDelivered);
        }

        // Created at once: the bucket's 60, and the few tokens that came back while carbon created them.
        await Poll.UntilAsync(() => Stored(server, names) >= 60, StoreTimeout, () => $"60 series created, {Stored(server, names)} are");
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        int created = Stored(server, names);
        Assert.InRange(created, 60, Series - 5);

        // Delayed points would be written as tokens come back (one a second): dropped ones never are.
        await Task.Delay(TimeSpan.FromSeconds(4), Ct);
        Assert.Equal(created, Stored(server, names));

        // A later point of a dropped series creates it once a token is free.
        string dropped = names.First(n => !File.Exists(server.WhisperPath(n)));
        await Wire.SendLinesAsync(server.LinePort, $"{dropped} 2 {ts + 1}\n");
        Assert.Equal([(ts + 1, 2.0)], await server.WaitForPointsAsync(dropped, 1, StoreTimeout));
    }

    [Fact]
    public async Task MaxCacheSize_PointsReadWhileTheCacheIsFull_AreDropped_EvenWithFlowControl()
    {
        // A tiny cache that drains slowly (one series write a second): what arrives in one write beyond it is lost.
        const int Points = 2_000;
        await using CarbonCacheServer server = await CarbonCacheServer.StartAsync(new CarbonCacheOptions
        {
            MaxUpdatesPerSecond = 1,
            ExtraSettings = new Dictionary<string, string> { ["MAX_CACHE_SIZE"] = "100", ["USE_FLOW_CONTROL"] = "True" },
        });
        long start = Wire.Now() - Points - 100;
        await Wire.SendLinesAsync(server.LinePort, string.Concat(Enumerable.Range(0, Points).Select(i => $"it.cachefull.m 1 {start + i}\n")));

        await Poll.UntilAsync(
            () => server.ReadLog("console.log").Contains("MetricCache is full", StringComparison.Ordinal),
            StoreTimeout,
            () => "carbon to say its cache is full; console.log:\n" + server.ReadLog("console.log"));
        IReadOnlyList<(long Timestamp, double Value)> stored = [];
        await Poll.TryUntilAsync(async () => (stored = await server.QueryCacheAsync("it.cachefull.m", Ct)).Count == 0 && (await server.ReadPointsAsync("it.cachefull.m")).Count > 0, StoreTimeout);
        stored = await server.ReadPointsAsync("it.cachefull.m");
        Assert.True(stored.Count < Points, $"carbon stored {stored.Count} of {Points} points");
    }

    private static int Stored(CarbonCacheServer server, IEnumerable<string> names) => names.Count(n => File.Exists(server.WhisperPath(n)));
}
