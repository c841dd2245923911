using System.Globalization;
using AioGraphite.Cluster;
using Xunit;

namespace AioGraphite.Tests.Cluster;

public sealed class CarbonConsistentHashRingTests
{
    private static readonly CarbonNode[] FiveOnOneHost =
    [
        new("127.0.0.1", 2004, "a"), new("127.0.0.1", 2104, "b"), new("127.0.0.1", 2204, "c"),
        new("127.0.0.1", 2304, "d"), new("127.0.0.1", 2404, "e"),
    ];

    private static readonly string[] TenThousandNames =
        [.. Enumerable.Range(0, 10_000).Select(i => string.Create(CultureInfo.InvariantCulture, $"servers.host{i % 97}.app{i}.requests.count"))];

    // Known answers computed with graphite-carbon 1.1.7 (carbon.hashing) so these tests stand without Python.
    [Theory]
    [InlineData("", 54301)]
    [InlineData("foo.bar", 1273)]
    [InlineData("('127.0.0.1', 'a'):0", 24043)]
    [InlineData("é", 26333)]
    [InlineData("x;b=2;a=1", 18997)]
    public void Position_is_carbonHash(string key, int expected)
    {
        Assert.Equal(expected, CarbonConsistentHashRing.ComputePosition(key));
    }

    [Theory]
    [InlineData("foo.bar", "d", "c", "b")]
    [InlineData("x;b=2;a=1", "b", "e", "a")]
    [InlineData("servers.web01.cpu.load", "a", "e", "c")]
    public void Placement_is_carbons(string key, string primary, string second, string third)
    {
        var ring = new CarbonConsistentHashRing(FiveOnOneHost);
        Assert.Equal(primary, ring.GetNode(key).Instance);
        Assert.Equal([primary, second, third], ring.GetNodes(key, 3, diverseReplicas: false).Select(n => n.Instance));
    }

    [Fact]
    public void Ring_keys_are_pythons_tuple_text()
    {
        Assert.Equal("('127.0.0.1', 'a'):0", CarbonConsistentHashRing.RingKey(new("127.0.0.1", 2004, "a"), 0));
        Assert.Equal("('cache.example', None):99", CarbonConsistentHashRing.RingKey(new("cache.example", 2004, null), 99));
        Assert.Equal("('::1', \"it's\"):7", CarbonConsistentHashRing.RingKey(new("::1", 2004, "it's"), 7));
    }

    [Fact]
    public void Placement_is_stable_and_ignores_ports()
    {
        var ring = new CarbonConsistentHashRing(FiveOnOneHost);
        var again = new CarbonConsistentHashRing(FiveOnOneHost.ToArray());
        var otherPorts = new CarbonConsistentHashRing(FiveOnOneHost.Select(n => n with { Port = n.Port + 1 }));
        foreach (string name in TenThousandNames.Take(2000))
        {
            CarbonNode node = ring.GetNode(name);
            Assert.Equal(node, ring.GetNode(name));
            Assert.Equal(node, again.GetNode(name));
            Assert.Equal(node with { Port = node.Port + 1 }, otherPorts.GetNode(name));
            Assert.Equal(node, ring.GetNodes(name, 1)[0]);
            Assert.Equal(node, ring.GetNodes(name, 3, diverseReplicas: false)[0]);
        }
    }

    [Fact]
    public void Distribution_over_10000_names_is_roughly_even()
    {
        var ring = new CarbonConsistentHashRing(FiveOnOneHost);
        var counts = TenThousandNames.GroupBy(ring.GetNode).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(5, counts.Count);
        foreach ((CarbonNode node, int count) in counts)
        {
            // 2,000 each if perfectly even; 100 replicas per node leave a spread of roughly +-15%.
            Assert.InRange(count, 1200, 2800);
        }
    }

    [Fact]
    public void Replication_returns_distinct_nodes_primary_first()
    {
        var ring = new CarbonConsistentHashRing(FiveOnOneHost);
        foreach (string name in TenThousandNames.Take(1000))
        {
            IReadOnlyList<CarbonNode> three = ring.GetNodes(name, 3, diverseReplicas: false);
            Assert.Equal(3, three.Count);
            Assert.Equal(3, three.Distinct().Count());
            Assert.Equal(ring.GetNode(name), three[0]);
            Assert.Equal(three.Take(2), ring.GetNodes(name, 2, diverseReplicas: false));

            IReadOnlyList<CarbonNode> all = ring.GetNodes(name, 10, diverseReplicas: false);
            Assert.Equal(5, all.Count);
            Assert.Equal(5, all.Distinct().Count());
        }
    }

    [Fact]
    public void Diverse_replicas_take_one_node_per_host()
    {
        CarbonNode[] nodes =
        [
            new("10.0.0.1", 2004, "a"), new("10.0.0.1", 2104, "b"), new("10.0.0.2", 2004, "a"),
            new("10.0.0.2", 2104, "b"), new("10.0.0.3", 2004, "a"),
        ];
        var ring = new CarbonConsistentHashRing(nodes);
        var sameHost = new CarbonConsistentHashRing(FiveOnOneHost);
        foreach (string name in TenThousandNames.Take(1000))
        {
            IReadOnlyList<CarbonNode> two = ring.GetNodes(name, 2);
            Assert.Equal(2, two.Count);
            Assert.NotEqual(two[0].Host, two[1].Host);
            Assert.Equal(ring.GetNode(name), two[0]);
            Assert.Equal(3, ring.GetNodes(name, 5).Select(n => n.Host).Distinct().Count());

            // carbon's default DIVERSE_REPLICAS: all destinations on one host give one destination
            Assert.Equal([sameHost.GetNode(name)], sameHost.GetNodes(name, 2));
        }
    }

    [Fact]
    public void Adding_a_node_moves_only_a_fraction_of_keys_and_only_to_it()
    {
        var four = new CarbonConsistentHashRing(FiveOnOneHost.Take(4));
        var five = new CarbonConsistentHashRing(FiveOnOneHost);
        int moved = 0;
        foreach (string name in TenThousandNames)
        {
            CarbonNode before = four.GetNode(name);
            CarbonNode after = five.GetNode(name);
            if (before != after)
            {
                moved++;

                // the new node is added last, so the old entries keep their positions: keys can only move to it
                Assert.Equal(FiveOnOneHost[4], after);
            }
        }

        // about 1/5 of the keys should move
        Assert.InRange(moved, 1000, 3000);
    }

    [Fact]
    public void A_single_node_ring_returns_that_node_once()
    {
        var ring = new CarbonConsistentHashRing([new("127.0.0.1", 2004, "a")]);
        Assert.Equal(new CarbonNode("127.0.0.1", 2004, "a"), ring.GetNode("x"));
        Assert.Single(ring.GetNodes("x", 2, diverseReplicas: false));
        Assert.Single(ring.GetNodes("x", 2));
        Assert.Single(new CarbonConsistentHashRing([new("127.0.0.1", 2004, "a")], replicas: 1).GetNodes("x", 3, diverseReplicas: false));
    }

    [Fact]
    public void Colliding_positions_are_bumped_in_node_order()
    {
        // Entry 0..99 of these two instances collide once, at 3775; carbon moves the later node's entry to 3776.
        CarbonNode first = new("127.0.0.1", 2004, "i753741");
        CarbonNode second = new("127.0.0.1", 2104, "i964854");
        var ring = new CarbonConsistentHashRing([first, second]);
        var reversed = new CarbonConsistentHashRing([second, first]);
        Assert.Contains((3775, first), ring.GetEntries());
        Assert.Contains((3776, second), ring.GetEntries());
        Assert.Contains((3775, second), reversed.GetEntries());
        Assert.Contains((3776, first), reversed.GetEntries());
        Assert.Equal(200, ring.GetEntries().Select(e => e.Position).Distinct().Count());
    }

    [Fact]
    public void Ring_has_replicas_entries_per_node_sorted_by_position()
    {
        var ring = new CarbonConsistentHashRing(FiveOnOneHost, replicas: 10);
        (int Position, CarbonNode Node)[] entries = ring.GetEntries();
        Assert.Equal(50, entries.Length);
        Assert.Equal(10, ring.Replicas);
        Assert.Equal(FiveOnOneHost, ring.Nodes);
        Assert.True(entries.Zip(entries.Skip(1)).All(p => p.First.Position < p.Second.Position));
        Assert.All(FiveOnOneHost, n => Assert.Equal(10, entries.Count(e => e.Node == n)));
    }

    [Fact]
    public void Long_keys_hash_like_short_ones()
    {
        string key = new('x', 10_000);
        Assert.Equal(CarbonConsistentHashRing.ComputePosition(key), CarbonConsistentHashRing.ComputePosition(string.Concat(key)));
        Assert.InRange(CarbonConsistentHashRing.ComputePosition(key), 0, 65535);
    }

    [Fact]
    public void Invalid_arguments_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => new CarbonConsistentHashRing(null!));
        Assert.Throws<ArgumentException>(() => new CarbonConsistentHashRing([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CarbonConsistentHashRing(FiveOnOneHost, replicas: 0));
        Assert.Throws<ArgumentException>(() => new CarbonConsistentHashRing([new("127.0.0.1", 2004, "a"), new("127.0.0.1", 2004, "a")]));

        // carbon keys the ring by (server, instance): another port does not make another node
        Assert.Throws<ArgumentException>(() => new CarbonConsistentHashRing([new("127.0.0.1", 2004, "a"), new("127.0.0.1", 2104, "a")]));
        Assert.Throws<ArgumentException>(() => new CarbonConsistentHashRing([new("127.0.0.1", 2004, null), new("127.0.0.1", 2104, null)]));
        Assert.Throws<ArgumentException>(() => new CarbonConsistentHashRing([default]));
        Assert.Throws<ArgumentException>(() => new CarbonConsistentHashRing([new(string.Empty, 2004, "a")]));
        Assert.Throws<ArgumentException>(() => new CarbonConsistentHashRing([new("127.0.0.1", 0, "a")]));
        Assert.Throws<ArgumentException>(() => new CarbonConsistentHashRing([new("127.0.0.1", 65536, "a")]));

        var ring = new CarbonConsistentHashRing(FiveOnOneHost);
        Assert.Throws<ArgumentNullException>(() => ring.GetNode(null!));
        Assert.Throws<ArgumentNullException>(() => ring.GetNodes(null!, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.GetNodes("x", 0));

        // Python cannot encode a lone surrogate to UTF-8 either (UnicodeEncodeError)
        Assert.Throws<ArgumentException>(() => ring.GetNode("a\ud800b"));
        Assert.Throws<ArgumentException>(() => CarbonConsistentHashRing.ComputePosition(new string('\udc00', 1000)));
    }
}
