using AioGraphite.IntegrationTests.Infrastructure;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Pipeline;

/// <summary>
/// The delivery guarantee against a real carbon-cache: a steady stream of 100,000 points survives carbon being
/// killed (SIGKILL) or stopped (SIGTERM) and restarted mid-stream, and a carbon that starts after the client.
/// carbon itself loses its in-memory cache in each case; the client's replay window recovers it.
/// </summary>
public sealed class NeverLoseAPointTests
{
    private const int Metrics = 100;
    private const int Steps = 1000; // 100 x 1000 = 100,000 points, one timestamp per step

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KillMinus9MidStream_EveryPointEndsUpInWhisper()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        GraphiteClientStatistics stats = await StreamAsync(carbon, "kill", new PlaintextProtocol(), carbon.LinePort, async () =>
        {
            await carbon.KillAsync();
            await Task.Delay(1000, Ct);
            await carbon.StartAgainAsync();
        });
        await AssertAllStoredAsync(carbon, "kill");
        Assert.True(stats.Reconnects >= 1, $"expected a reconnect: {stats}");
        Assert.True(stats.PointsReplayed > 0, $"expected replayed points: {stats}");
    }

    [Fact]
    public async Task SigtermRestartMidStream_OverPickle_EveryPointEndsUpInWhisper()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        GraphiteClientStatistics stats = await StreamAsync(carbon, "term", new PickleProtocol(), carbon.PicklePort, async () =>
        {
            await carbon.StopAsync();
            await Task.Delay(1000, Ct);
            await carbon.StartAgainAsync();
        });
        await AssertAllStoredAsync(carbon, "term");
        Assert.True(stats.Reconnects >= 1, $"expected a reconnect: {stats}");
    }

    [Fact]
    public async Task CarbonStartsAfterTheClient_EveryPointEndsUpInWhisper()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await carbon.KillAsync();
        GraphiteClientStatistics stats = await StreamAsync(carbon, "late", new PlaintextProtocol(), carbon.LinePort, carbon.StartAgainAsync, lazy: true);
        await AssertAllStoredAsync(carbon, "late");
        Assert.Equal(0, stats.PointsDropped);
    }

    [Fact]
    public async Task SixteenConcurrentProducers_EightHundredThousandPointsAllStored()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        using IDisposable slot = await LoadSlots.AcquireAsync(Ct); // the heaviest stream of the suite: one per core at once
        long start = Wire.Now() - 1200;
        var options = new GraphiteClientOptions { FullBufferPolicy = FullBufferPolicy.Wait };
        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", carbon.PicklePort, new PickleProtocol(), options, Ct))
        {
            await Task.WhenAll(Enumerable.Range(0, 16).Select(p => Task.Run(async () =>
            {
                var batch = new Datapoint[50];
                for (int step = 0; step < Steps; step++)
                {
                    for (int m = 0; m < 50; m++)
                    {
                        batch[m] = new Datapoint($"it.conc.p{p:D2}.m{m:D2}", SteadyStream.Value(p * 50 + m, step), start + step);
                    }

                    if (step % 2 == 0)
                    {
                        await client.SendMultipleAsync(batch, cancellationToken: Ct);
                    }
                    else
                    {
                        foreach (Datapoint d in batch)
                        {
                            await client.SendAsync(d.Metric, d.Value, d.Timestamp, Ct);
                        }
                    }
                }
            }, Ct)));
            await client.FlushAsync(Ct);
            Assert.Equal(800_000, client.Statistics.PointsWritten);
        }

        for (int p = 0; p < 16; p++)
        {
            for (int m = 0; m < 50; m++)
            {
                int series = p * 50 + m;
                var stored = await carbon.WaitForPointsAsync($"it.conc.p{p:D2}.m{m:D2}", Steps, TimeSpan.FromSeconds(60));
                Assert.Equal(Enumerable.Range(0, Steps).Select(s => (start + s, SteadyStream.Value(series, s))), stored);
            }
        }
    }

    /// <summary>Streams 100,000 points at a steady ~12,500 points/s; <paramref name="fault"/> runs in the middle.</summary>
    private static async Task<GraphiteClientStatistics> StreamAsync(CarbonCacheServer carbon, string name, IGraphiteProtocol protocol, int port, Func<Task> fault, bool lazy = false)
    {
        using IDisposable slot = await LoadSlots.AcquireAsync(Ct); // at most one heavy stream per core at once (see Faults/)
        long start = Wire.Now() - 1200;
        var options = new GraphiteClientOptions { LazyConnect = lazy, ReconnectMaxDelay = TimeSpan.FromSeconds(1), DrainTimeout = TimeSpan.FromSeconds(30) };
        var client = await GraphiteClient.ConnectAsync("127.0.0.1", port, protocol, options, Ct);
        await SteadyStream.SendAsync(client, Metrics, Steps, start, m => $"it.{name}.m{m:D3}", fault, Ct);
        await client.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await client.CloseAsync();
        return client.Statistics;
    }

    private static async Task AssertAllStoredAsync(CarbonCacheServer carbon, string name)
    {
        long start = 0;
        for (int m = 0; m < Metrics; m++)
        {
            var stored = await carbon.WaitForPointsAsync($"it.{name}.m{m:D3}", Steps, TimeSpan.FromSeconds(60));
            start = start == 0 ? stored[0].Timestamp : start;
            int series = m;
            Assert.Equal(Enumerable.Range(0, Steps).Select(s => (start + s, SteadyStream.Value(series, s))), stored);
        }
    }
}
