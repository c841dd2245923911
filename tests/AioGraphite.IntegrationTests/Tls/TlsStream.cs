using AioGraphite.IntegrationTests.Infrastructure;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Tls;

/// <summary>A steady stream of points through a TLS terminator with a fault in the middle, and the check that carbon stored every one.</summary>
internal static class TlsStream
{
    public const int Metrics = 50;
    public const int Steps = 300; // 15,000 points, one timestamp per step (SteadyStream: ~2.4 s)

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Streams the points; <paramref name="fault"/> runs in the middle; closes the client (delivering everything).</summary>
    public static async Task<GraphiteClientStatistics> RunAsync(string name, int port, IGraphiteProtocol protocol, GraphiteTlsOptions tls, Func<Task> fault)
    {
        long start = Wire.Now() - 900;
        var options = new GraphiteClientOptions { Tls = tls, ReconnectMaxDelay = TimeSpan.FromMilliseconds(500), DrainTimeout = TimeSpan.FromSeconds(30) };
        var client = await GraphiteClient.ConnectAsync("127.0.0.1", port, protocol, options, Ct);
        await SteadyStream.SendAsync(client, Metrics, Steps, start, m => $"it.{name}.m{m:D2}", fault, Ct);
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
            Assert.Equal(Enumerable.Range(0, Steps).Select(s => (start + s, SteadyStream.Value(m, s))), stored);
        }));
    }
}
