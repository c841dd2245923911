using AioGraphite.IntegrationTests.Infrastructure;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Cluster;

/// <summary>AioGraphite in a Graphite cluster: through real relays, and sharding itself with carbon's consistent hash.</summary>
public sealed class ClusterDeliveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ThroughCarbonCRelayCarbonCh_HundredThousandPointsEachOnExactlyOneCache()
    {
        await using CarbonCacheServer a = await CarbonCacheServer.StartAsync();
        await using CarbonCacheServer b = await CarbonCacheServer.StartAsync();
        await using CarbonRelayServer relay = await CarbonRelayServer.StartCRelayAsync([a, b]);
        long start = Wire.Now() - 1200;
        const int Metrics = 100, Steps = 1000;
        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", relay.LinePort, options: new() { FullBufferPolicy = FullBufferPolicy.Wait }, cancellationToken: Ct))
        {
            var batch = new Datapoint[Metrics];
            for (int step = 0; step < Steps; step++)
            {
                for (int m = 0; m < Metrics; m++)
                {
                    batch[m] = new Datapoint($"it.relay.m{m:D3}", Value(m, step), start + step);
                }

                await client.SendMultipleAsync(batch, cancellationToken: Ct);
            }
        }

        int[] perCache = new int[2];
        for (int m = 0; m < Metrics; m++)
        {
            string metric = $"it.relay.m{m:D3}";
            CarbonCacheServer holder = await WaitForHolderAsync(relay.Caches, metric);
            var stored = await holder.WaitForPointsAsync(metric, Steps, StoreTimeout);
            Assert.Equal(Enumerable.Range(0, Steps).Select(s => (start + s, Value(m, s))), stored);
            Assert.Single(relay.CachesHolding(metric));
            perCache[holder == a ? 0 : 1]++;
        }

        Assert.All(perCache, n => Assert.True(n > 0, $"one cache got nothing: [{string.Join(", ", perCache)}]"));
    }

    [Fact]
    public async Task ClientSideSharding_PlacesPlainAndTaggedNamesExactlyLikeGraphitesCarbonRelay()
    {
        // Two clusters with the same ring (host 127.0.0.1, instances a and b; the port is not hashed):
        // one behind graphite's own carbon-relay (consistent-hashing), one fed by AioGraphite directly.
        await using CarbonCacheServer relayA = await CarbonCacheServer.StartAsync();
        await using CarbonCacheServer relayB = await CarbonCacheServer.StartAsync();
        await using CarbonRelayServer relay = await CarbonRelayServer.StartPythonRelayAsync([relayA, relayB]);
        await using CarbonCacheServer directA = await CarbonCacheServer.StartAsync();
        await using CarbonCacheServer directB = await CarbonCacheServer.StartAsync();

        long ts = Wire.Now() - 30;
        string[] names = [.. Names(1_200)];
        string lines = string.Concat(names.Select((n, i) => $"{n} {i} {ts}\n"));
        await Wire.SendLinesAsync(relay.LinePort, lines);

        GraphiteDestination[] destinations = [new("127.0.0.1", directA.LinePort, "a"), new("127.0.0.1", directB.LinePort, "b")];
        await using (var client = await GraphiteClient.ConnectAsync(destinations, cancellationToken: Ct))
        {
            await client.SendMultipleAsync(names.Select((n, i) => new Datapoint(n, i, ts)), cancellationToken: Ct);
        }

        int differences = 0;
        var both = new int[2];
        for (int i = 0; i < names.Length; i++)
        {
            CarbonCacheServer viaRelay = await WaitForHolderAsync([relayA, relayB], names[i]);
            CarbonCacheServer direct = await WaitForHolderAsync([directA, directB], names[i]);
            int relayIndex = viaRelay == relayA ? 0 : 1;
            int directIndex = direct == directA ? 0 : 1;
            both[directIndex]++;
            if (relayIndex != directIndex)
            {
                differences++;
            }

            Assert.Equal([(ts, (double)i)], await direct.WaitForPointsAsync(names[i], 1, StoreTimeout));
        }

        Assert.Equal(0, differences);
        Assert.All(both, n => Assert.True(n > 100, $"uneven split: [{string.Join(", ", both)}]"));
    }

    [Fact]
    public async Task OneCacheKilledMidStream_OthersKeepFlowingAndNoPointIsLost()
    {
        await using CarbonCacheServer a = await CarbonCacheServer.StartAsync();
        await using CarbonCacheServer b = await CarbonCacheServer.StartAsync();
        using IDisposable slot = await LoadSlots.AcquireAsync(Ct); // at most one heavy stream per core at once (see Faults/)
        GraphiteDestination[] destinations = [new("127.0.0.1", a.PicklePort, "a"), new("127.0.0.1", b.PicklePort, "b")];
        var options = new GraphiteClientOptions { ReconnectMaxDelay = TimeSpan.FromSeconds(1), DrainTimeout = TimeSpan.FromSeconds(30) };
        long start = Wire.Now() - 1200;
        const int Metrics = 100, Steps = 1000;
        var client = await GraphiteClient.ConnectAsync(destinations, new PickleProtocol(), options, Ct);
        long writtenToAWhileBWasDown = 0;
        Task? fault = null;
        var batch = new Datapoint[Metrics];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int step = 0; step < Steps; step++)
        {
            for (int m = 0; m < Metrics; m++)
            {
                batch[m] = new Datapoint($"it.iso.m{m:D3}", Value(m, step), start + step);
            }

            await client.SendMultipleAsync(batch, cancellationToken: Ct);
            if (step == Steps / 2)
            {
                fault = Task.Run(async () =>
                {
                    await b.KillAsync();
                    long before = client.GetDestinationStatistics(0).PointsWritten;
                    await Task.Delay(1500, Ct);
                    writtenToAWhileBWasDown = client.GetDestinationStatistics(0).PointsWritten - before;
                    await b.StartAgainAsync();
                }, Ct);
            }

            TimeSpan due = TimeSpan.FromMilliseconds(8 * (step + 1));
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed, Ct);
            }
        }

        await fault!;
        await client.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await client.CloseAsync();
        Assert.True(writtenToAWhileBWasDown > 1000, $"cache a must keep receiving while b is down; got {writtenToAWhileBWasDown}");
        Assert.True(client.GetDestinationStatistics(1).Reconnects >= 1);
        Assert.Equal(0, client.GetDestinationStatistics(0).Reconnects);

        for (int m = 0; m < Metrics; m++)
        {
            string metric = $"it.iso.m{m:D3}";
            CarbonCacheServer holder = await WaitForHolderAsync([a, b], metric);
            var stored = await holder.WaitForPointsAsync(metric, Steps, StoreTimeout);
            Assert.Equal(Enumerable.Range(0, Steps).Select(s => (start + s, Value(m, s))), stored);
        }
    }

    [Fact]
    public async Task PickleToGraphitesCarbonRelay_EveryPointStoredOnItsCache()
    {
        await using CarbonCacheServer a = await CarbonCacheServer.StartAsync();
        await using CarbonCacheServer b = await CarbonCacheServer.StartAsync();
        await using CarbonRelayServer relay = await CarbonRelayServer.StartPythonRelayAsync([a, b]);
        long start = Wire.Now() - 600;
        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", relay.PicklePort, new PickleProtocol(), cancellationToken: Ct))
        {
            await client.SendMultipleAsync([.. Enumerable.Range(0, 20_000).Select(i => new Datapoint($"it.pyrelay.m{i % 40:D2}", i * 0.5, start + (i / 40)))], cancellationToken: Ct);
        }

        for (int m = 0; m < 40; m++)
        {
            string metric = $"it.pyrelay.m{m:D2}";
            CarbonCacheServer holder = await WaitForHolderAsync(relay.Caches, metric);
            var stored = await holder.WaitForPointsAsync(metric, 500, StoreTimeout);
            Assert.Equal(Enumerable.Range(0, 500).Select(s => (start + s, ((s * 40) + m) * 0.5)), stored);
            Assert.Single(relay.CachesHolding(metric));
        }
    }

    private static double Value(int series, int step) => (series * 10_000) + step + 0.5;

    private static IEnumerable<string> Names(int count)
    {
        var random = new Random(2026);
        string[] words = ["cpu", "mem", "disk", "net", "web", "db", "api", "queue", "cache", "io"];
        for (int i = 0; i < count; i++)
        {
            string path = $"it.place.{words[random.Next(words.Length)]}.h{random.Next(500)}.{words[random.Next(words.Length)]}{i}";
            yield return (i % 3) switch
            {
                0 => path,
                1 => $"{path};host=h{random.Next(50)};dc=d{random.Next(3)}",   // tags not sorted: carbon-relay hashes the name as sent
                _ => GraphiteTags.Format(path, ("zone", $"z{random.Next(9)}"), ("app", "a" + i)),
            };
        }
    }

    private static async Task<CarbonCacheServer> WaitForHolderAsync(IReadOnlyList<CarbonCacheServer> caches, string metric)
    {
        List<CarbonCacheServer> holders = [];
        bool stored = await Poll.TryUntilAsync(
            () =>
            {
                holders = caches.Where(c => File.Exists(c.WhisperPath(metric))).ToList();
                Assert.True(holders.Count <= 1, $"{metric} is on {holders.Count} caches");
                return holders.Count == 1;
            },
            StoreTimeout,
            TimeSpan.FromMilliseconds(50));
        Assert.True(stored, $"{metric} never reached a cache");
        return holders[0];
    }
}
