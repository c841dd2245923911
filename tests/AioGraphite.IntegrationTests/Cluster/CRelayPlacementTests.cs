using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AioGraphite.IntegrationTests.Infrastructure;
using AioGraphite.Protocols;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Cluster;

/// <summary>Three carbon-caches behind the relays, three more behind the client; shared by the tests of the class.</summary>
public sealed class CRelayPlacementCaches : IAsyncLifetime
{
    public IReadOnlyList<CarbonCacheServer> RelaySide { get; private set; } = [];

    public IReadOnlyList<CarbonCacheServer> ClientSide { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        var all = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => CarbonCacheServer.StartAsync()));
        RelaySide = all[..3];
        ClientSide = all[3..];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var cache in RelaySide.Concat(ClientSide))
        {
            await cache.DisposeAsync();
        }
    }
}

/// <summary>
/// A real carbon-c-relay (<c>carbon_ch</c>, replication 1) in front of real caches, and a <see cref="GraphiteClient"/>
/// with <see cref="ConsistentHashing.CarbonCRelay"/> in front of other caches with the same hosts and instances: every
/// name must land on the same instance both ways. The names are ones the relay forwards unchanged (plain, and tagged
/// with unsorted tags), plus names hashing onto and just after any collided ring position. The caches are shared by
/// the tests; each test uses its own names.
/// </summary>
public sealed class CRelayPlacementTests(CRelayPlacementCaches caches) : IClassFixture<CRelayPlacementCaches>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public Task Two_members_a_b_place_every_name_as_carbon_c_relay() => AssertSamePlacementAsync("crtwo", ["a", "b"], reverseClientOrder: false);

    [Fact]
    public Task Three_members_a_b_c_place_every_name_as_carbon_c_relay() => AssertSamePlacementAsync("crthree", ["a", "b", "c"], reverseClientOrder: false);

    [Fact]
    public Task Colliding_members_in_the_other_order_place_every_name_as_carbon_c_relay() =>
        // ring entries of these two collide at 3775 (docs/notes/carbon-ch-placement.md, fact D); the client lists them
        // in the other order, which changes graphite-carbon's placement but not carbon-c-relay's
        AssertSamePlacementAsync("crcollide", ["i753741", "i964854"], reverseClientOrder: true);

    private async Task AssertSamePlacementAsync(string prefix, string[] instances, bool reverseClientOrder)
    {
        var ct = TestContext.Current.CancellationToken;
        var relayCaches = caches.RelaySide.Take(instances.Length).ToList();
        var clientCaches = caches.ClientSide.Take(instances.Length).ToList();
        var collided = CollidedPositions(instances);
        var names = BuildNames(prefix, collided);
        Assert.True(names.Count >= 1000, $"{names.Count} names");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;

        // through the relay, as raw plaintext lines
        await using (var relay = await CarbonRelayServer.StartCRelayAsync(relayCaches, instances))
        {
            var lines = new StringBuilder();
            for (var i = 0; i < names.Count; i++)
            {
                lines.Append(CultureInfo.InvariantCulture, $"{names[i]} {i} {timestamp}\n");
            }

            await Wire.SendLinesAsync(relay.LinePort, lines.ToString());
            var viaRelay = await WaitForPlacementAsync(relayCaches, names, $"{relay}\n{relay.ReadLog()}");

            // through the client, straight to the other caches (same host and instances; the port is not hashed)
            var order = Enumerable.Range(0, instances.Length).ToArray();
            if (reverseClientOrder)
            {
                Array.Reverse(order);
            }

            var destinations = order.Select(k => new GraphiteDestination("127.0.0.1", clientCaches[k].LinePort, instances[k])).ToList();
            await using (var client = await GraphiteClient.ConnectAsync(destinations, new PlaintextProtocol(), new GraphiteClientOptions { Hashing = ConsistentHashing.CarbonCRelay }, ct))
            {
                await client.SendMultipleAsync(names.Select((n, i) => new Datapoint(n, i, timestamp)), cancellationToken: ct);
                await client.FlushAsync(ct);
            }

            var viaClient = await WaitForPlacementAsync(clientCaches, names, "client");

            var differences = Enumerable.Range(0, names.Count)
                .Where(i => viaRelay[i] != viaClient[i])
                .Select(i => $"{names[i]}: relay {instances[viaRelay[i]]}, client {instances[viaClient[i]]}")
                .ToList();
            Assert.True(differences.Count == 0, $"{differences.Count} of {names.Count} names placed differently:\n{string.Join('\n', differences.Take(20))}");
            for (var k = 0; k < instances.Length; k++)
            {
                Assert.Contains(k, viaRelay);
            }

            // the values arrived as sent, both ways (a sample; placement is what this test is about)
            foreach (var i in Enumerable.Range(0, names.Count).Where(i => i % 50 == 0 || collided.Contains(Position(Path(names[i]))) || collided.Contains(Position(Path(names[i])) - 1)))
            {
                Assert.Equal([(timestamp, (double)i)], await relayCaches[viaRelay[i]].WaitForPointsAsync(names[i], 1, Deadline));
                Assert.Equal([(timestamp, (double)i)], await clientCaches[viaClient[i]].WaitForPointsAsync(names[i], 1, Deadline));
            }

            // the comparison can fail: graphite-carbon's ring (hashing the full name, bumping collisions, in the
            // client's order) would have put some of these names elsewhere
            var carbon = await CarbonRelayInstancesAsync(names, [.. order.Select(k => instances[k])]);
            var carbonDiffers = Enumerable.Range(0, names.Count).Count(i => carbon[i] != instances[viaRelay[i]]);
            Assert.True(carbonDiffers > 0, "graphite-carbon's placement agrees on every name: the test cannot tell the two apart");
            if (collided.Count > 0)
            {
                // on a collided position or just after it (which of the two depends on carbon's member order)
                var nearCollision = Enumerable.Range(0, names.Count).Where(i => collided.Contains(Position(Path(names[i]))) || collided.Contains(Position(Path(names[i])) - 1)).ToList();
                Assert.NotEmpty(nearCollision);
                Assert.Contains(nearCollision, i => !names[i].Contains(';', StringComparison.Ordinal) && carbon[i] != instances[viaRelay[i]]);
            }

            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{prefix}: {names.Count} names, per instance [{string.Join(", ", Enumerable.Range(0, instances.Length).Select(k => $"{instances[k]}={viaRelay.Count(x => x == k)}"))}], collided positions [{string.Join(", ", collided)}], graphite-carbon would differ on {carbonDiffers}");
        }
    }

    /// <summary>Names carbon-c-relay forwards unchanged: plain, tagged (unsorted tags, several tag sets per path), and near collisions.</summary>
    private static List<string> BuildNames(string prefix, IReadOnlyCollection<int> collided)
    {
        var random = new Random(prefix.Length * 7919);
        const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
        string Segment() => new([.. Enumerable.Range(0, random.Next(1, 11)).Select(_ => Alphabet[random.Next(Alphabet.Length)])]);
        string PathOf(int depth) => string.Join('.', Enumerable.Range(0, depth).Select(_ => Segment()));
        string[] tagNames = ["zone", "host", "app", "dc", "env", "b", "a", "region"];
        string Tags()
        {
            string[] keys;
            do
            {
                keys = [.. tagNames.OrderBy(_ => random.Next()).Take(random.Next(2, 5))];
            }
            while (keys.SequenceEqual(keys.Order(StringComparer.Ordinal)));

            return string.Concat(keys.Select(k => $";{k}={Segment()}"));
        }

        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string name)
        {
            if (seen.Add(name))
            {
                names.Add(name);
            }
        }

        while (names.Count < 600)
        {
            Add($"{prefix}.{PathOf(random.Next(1, 6))}");
        }

        // 100 paths with 4 tag sets each: one path, one member (the tags are not hashed)
        for (var p = 0; p < 100; p++)
        {
            var path = $"{prefix}.tagged.{PathOf(random.Next(1, 4))}";
            for (var t = 0; t < 4; t++)
            {
                Add(path + Tags());
            }
        }

        // names whose path hashes onto a collided position or just after it
        var wanted = collided.SelectMany(p => new[] { p, p + 1, p + 2 }).Where(p => p < 65536).ToHashSet();
        var found = new Dictionary<int, int>();
        for (var k = 0; wanted.Count > 0 && found.Values.Sum() < wanted.Count * 10 && k < 20_000_000; k++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"{prefix}.near.n{k}");
            var position = Position(path);
            if (wanted.Contains(position) && found.GetValueOrDefault(position) < 10)
            {
                found[position] = found.GetValueOrDefault(position) + 1;
                Add(path);
                Add(path + ";zone=z1;app=a1");
            }
        }

        return names;
    }

    /// <summary>Polls until every name has a whisper file on one of <paramref name="cacheList"/>; returns the index of that cache per name.</summary>
    private static async Task<int[]> WaitForPlacementAsync(IReadOnlyList<CarbonCacheServer> cacheList, IReadOnlyList<string> names, string what)
    {
        var paths = names.Select(n => cacheList.Select(c => c.WhisperPath(n)).ToArray()).ToArray();
        var placed = new int[names.Count];
        var missing = 0;
        bool stored = await Poll.TryUntilAsync(
            () =>
            {
                missing = 0;
                for (var i = 0; i < names.Count; i++)
                {
                    var holding = Enumerable.Range(0, cacheList.Count).Where(k => File.Exists(paths[i][k])).ToList();
                    Assert.True(holding.Count <= 1, $"{names[i]} is on {holding.Count} caches ({what})");
                    placed[i] = holding.Count == 1 ? holding[0] : -1;
                    missing += holding.Count == 0 ? 1 : 0;
                }

                return missing == 0;
            },
            Deadline,
            TimeSpan.FromMilliseconds(100));
        Assert.True(stored, $"{missing} of {names.Count} names not stored after {Deadline.TotalSeconds} s ({what}); first: {(missing > 0 ? names[Array.IndexOf(placed, -1)] : null)}");
        return placed;
    }

    private static string Path(string name) => name.Split(';')[0];

    /// <summary>carbon's position of a string: the first two bytes of its MD5.</summary>
    [SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "carbon_ch placement is defined on MD5.")]
    private static int Position(string text)
    {
        var digest = MD5.HashData(Encoding.UTF8.GetBytes(text));
        return (digest[0] << 8) | digest[1];
    }

    /// <summary>Positions held by ring entries of two members (ring key <c>('127.0.0.1', 'x'):i</c>).</summary>
    private static List<int> CollidedPositions(string[] instances) =>
    [
        .. instances
            .SelectMany(x => Enumerable.Range(0, 100).Select(i => (Position: Position($"('127.0.0.1', '{x}'):{i}"), Instance: x)))
            .GroupBy(e => e.Position)
            .Where(g => g.Select(e => e.Instance).Distinct(StringComparer.Ordinal).Count() > 1)
            .Select(g => g.Key)
            .Order(),
    ];

    /// <summary>Where graphite-carbon's own <c>ConsistentHashRing</c> (members in the given order) puts each full name.</summary>
    private static async Task<string[]> CarbonRelayInstancesAsync(IReadOnlyList<string> names, string[] instances)
    {
        var output = await PythonScript.RunAsync(
            """
            import sys
            from carbon.hashing import ConsistentHashRing
            ring = ConsistentHashRing([('127.0.0.1', x) for x in sys.argv[1:]])
            for metric in sys.stdin.read().splitlines():
                print(ring.get_node(metric)[1])
            """,
            string.Join('\n', names),
            instances,
            TestContext.Current.CancellationToken);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
