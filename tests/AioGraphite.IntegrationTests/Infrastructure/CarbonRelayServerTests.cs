using System.Globalization;
using System.Text;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Infrastructure;

/// <summary>A real cluster: carbon-c-relay in front of two caches, fed with raw plaintext lines.</summary>
public sealed class CarbonRelayServerTests
{
    [Fact]
    public async Task C_relay_puts_every_metric_on_exactly_one_cache_as_carbons_hash_ring_says()
    {
        await using var a = await CarbonCacheServer.StartAsync();
        await using var b = await CarbonCacheServer.StartAsync();
        await using var relay = await CarbonRelayServer.StartCRelayAsync([a, b]);
        Assert.False(relay.IsPythonRelay);
        Assert.Equal(relay.LinePort, relay.UdpPort);
        Assert.Throws<InvalidOperationException>(() => relay.PicklePort);
        Assert.Contains($"127.0.0.1:{b.LinePort}=b", await File.ReadAllTextAsync(relay.ConfigPath, TestContext.Current.CancellationToken), StringComparison.Ordinal);

        var now = Wire.Now();
        var metrics = Enumerable.Range(0, 200).Select(i => $"test.relay.c.m{i:D3}").ToList();
        var lines = new StringBuilder();
        for (var i = 0; i < metrics.Count; i++)
        {
            lines.Append(CultureInfo.InvariantCulture, $"{metrics[i]} {i + 0.5} {now - 30}\n");
        }

        await Wire.SendLinesAsync(relay.LinePort, lines.ToString());

        await ClusterAssertions.EveryMetricOnExactlyOneCacheAsync(relay, metrics, now - 30, i => i + 0.5);
    }

    [Fact]
    public async Task Python_relay_forwards_a_pickle_frame_to_the_cache_its_hash_ring_chooses()
    {
        await using var a = await CarbonCacheServer.StartAsync();
        await using var b = await CarbonCacheServer.StartAsync();
        await using var relay = await CarbonRelayServer.StartPythonRelayAsync([a, b]);
        Assert.True(relay.IsPythonRelay);
        Assert.NotEqual(relay.LinePort, relay.PicklePort);
        Assert.True(FreePorts.IsTcpListening(relay.PicklePort));

        var now = Wire.Now();
        var metrics = Enumerable.Range(0, 200).Select(i => $"test.relay.python.m{i:D3}").ToList();
        var frame = await Wire.PickleFrameAsync(metrics.Select((m, i) => (m, now - 30, i * 2.0)));
        await Wire.SendTcpAsync(relay.PicklePort, frame);

        await ClusterAssertions.EveryMetricOnExactlyOneCacheAsync(relay, metrics, now - 30, i => i * 2.0);
    }
}
