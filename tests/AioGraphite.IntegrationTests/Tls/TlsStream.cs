using AioGraphite.IntegrationTests.Infrastructure;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Tls;

/// <summary>A steady stream of points through a TLS terminator with a fault in the middle, and the check that carbon stored every one.</summary>
internal static class TlsStream
{
    public const int Metrics = 50;
    public const int Steps = 300; // 15,000 points, one timestamp per step, one step every 8 ms (~2.4 s)

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static double Value(int series, int step) => (series * 10_000) + step + 0.25;

    /// <summary>Streams the points; <paramref name="fault"/> runs in the middle; closes the client (delivering everything).</summary>
    public static async Task<GraphiteClientStatistics> RunAsync(string name, int port, IGraphiteProtocol protocol, GraphiteTlsOptions tls, Func<Task> fault)
    {
        long start = Wire.Now() - 900;
        var options = new GraphiteClientOptions { Tls = tls, ReconnectMaxDelay = TimeSpan.FromMilliseconds(500), DrainTimeout = TimeSpan.FromSeconds(30) };
        var client = await GraphiteClient.ConnectAsync("127.0.0.1", port, protocol, options, Ct);
        Task? faultTask = null;
        var batch = new Datapoint[Metrics];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int step = 0; step < Steps; step++)
        {
            for (int m = 0; m < Metrics; m++)
            {
                batch[m] = new Datapoint($"it.{name}.m{m:D2}", Value(m, step), start + step);
            }

            await client.SendMultipleAsync(batch, cancellationToken: Ct);
            if (step == Steps / 2)
            {
                faultTask = Task.Run(fault, Ct);
            }

            TimeSpan due = TimeSpan.FromMilliseconds(8 * (step + 1));
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed, Ct);
            }
        }

        await faultTask!;
        await client.WaitForDeliveryAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        await client.CloseAsync();
        return client.Statistics;
    }

    /// <summary>Every series holds every step with its exact value.</summary>
    public static async Task AssertAllStoredAsync(CarbonCacheServer carbon, string name)
    {
        await Task.WhenAll(Enumerable.Range(0, Metrics).Select(async m =>
        {
            var stored = await carbon.WaitForPointsAsync($"it.{name}.m{m:D2}", Steps, TimeSpan.FromSeconds(60));
            long start = stored[0].Timestamp;
            Assert.Equal(Enumerable.Range(0, Steps).Select(s => (start + s, Value(m, s))), stored);
        }));
    }
}
