using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Infrastructure;

internal static class ClusterAssertions
{
    /// <summary>
    /// Waits until every metric is stored, then checks it is on exactly one cache, the one carbon's own
    /// Python <c>ConsistentHashRing</c> picks for instances a, b, ..., with the expected single point.
    /// </summary>
    public static async Task EveryMetricOnExactlyOneCacheAsync(CarbonRelayServer relay, IReadOnlyList<string> metrics, long timestamp, Func<int, double> value)
    {
        await Poll.TryUntilAsync(() => relay.Caches.Sum(c => c.AllWhisperFiles().Count()) >= metrics.Count, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50));

        var expected = await ExpectedInstancesAsync(metrics, relay.Caches.Count);
        var perCache = new int[relay.Caches.Count];
        for (var i = 0; i < metrics.Count; i++)
        {
            var holding = relay.CachesHolding(metrics[i]);
            Assert.True(holding.Count == 1, $"{metrics[i]} is on {holding.Count} caches; relay: {relay}\n{relay.ReadLog()}");
            var index = relay.Caches.ToList().IndexOf(holding[0]);
            Assert.Equal(expected[i], CarbonRelayServer.InstanceName(index));
            perCache[index]++;
            var points = await holding[0].WaitForPointsAsync(metrics[i], 1, TimeSpan.FromSeconds(5));
            Assert.Equal([(timestamp, value(i))], points);
        }

        Assert.All(perCache, n => Assert.True(n > 0, $"a cache got nothing: [{string.Join(", ", perCache)}]"));
        Assert.Equal(metrics.Count, relay.Caches.Sum(c => c.AllWhisperFiles().Count()));
    }

    private static async Task<List<string>> ExpectedInstancesAsync(IReadOnlyList<string> metrics, int caches)
    {
        var output = await PythonScript.RunAsync(
            """
            import sys
            from carbon.hashing import ConsistentHashRing
            n = int(sys.argv[1])
            names = [chr(ord('a') + i) if i < 26 else 'i%d' % i for i in range(n)]
            ring = ConsistentHashRing([('127.0.0.1', name) for name in names])
            for metric in sys.stdin.read().splitlines():
                print(ring.get_node(metric)[1])
            """,
            string.Join('\n', metrics),
            [caches.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            TestContext.Current.CancellationToken);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
