using System.Globalization;
using System.Text.Json.Nodes;
using AioGraphite.Cluster;
using Xunit;

namespace AioGraphite.Tests.Cluster;

/// <summary>
/// The C# ring against graphite-carbon 1.1.7's own Python (<c>/usr/bin/python3</c>, <c>import carbon</c>): same keys,
/// same positions, same ring, same destinations for every name, every destination set, replication 1 and 2, with and
/// without DIVERSE_REPLICAS and TAG_RELAY_NORMALIZED. Zero differences allowed.
/// </summary>
public sealed class CarbonPythonParityTests(CarbonOracleFixture oracle) : IClassFixture<CarbonOracleFixture>
{
    [Fact]
    public void Corpus_has_at_least_2000_names_of_every_kind()
    {
        Assert.True(oracle.Names.Count >= 2000, $"{oracle.Names.Count} names");
        Assert.True(oracle.Names.Count(n => n.Contains(';', StringComparison.Ordinal)) >= 500);
        Assert.True(oracle.Names.Count(n => n.Any(c => c > 0x7F)) >= 300);
    }

    [Fact]
    public void Python_repr_of_hosts_and_instances_matches()
    {
        JsonArray expected = oracle.Answer["reprs"]!.AsArray();
        var diffs = new List<string>();
        for (int i = 0; i < CarbonOracleFixture.ReprStrings.Length; i++)
        {
            string actual = PythonStringRepr.Repr(CarbonOracleFixture.ReprStrings[i]);
            if (actual != (string)expected[i]!)
            {
                diffs.Add($"{Escape(CarbonOracleFixture.ReprStrings[i])}: python {expected[i]}, C# {actual}");
            }
        }

        AssertNone(diffs);
    }

    [Fact]
    public void Ring_keys_match_carbons_tuple_format()
    {
        JsonArray expected = oracle.Answer["ringKeys"]!.AsArray();
        var diffs = new List<string>();
        int k = 0;
        foreach (string text in CarbonOracleFixture.ReprStrings)
        {
            Check(new CarbonNode(text, 2004, null), 0);
            Check(new CarbonNode(text, 2004, "a"), 99);
            Check(new CarbonNode("127.0.0.1", 2004, text), 42);
        }

        Assert.Equal(expected.Count, k);
        AssertNone(diffs);

        void Check(CarbonNode node, int replica)
        {
            string actual = CarbonConsistentHashRing.RingKey(node, replica);
            if (actual != (string)expected[k]!)
            {
                diffs.Add($"{node} #{replica}: python {expected[k]}, C# {actual}");
            }

            k++;
        }
    }

    [Fact]
    public void Positions_match_carbonHash_for_every_name()
    {
        JsonArray expected = oracle.Answer["positions"]!.AsArray();
        var diffs = new List<string>();
        for (int i = 0; i < oracle.Names.Count; i++)
        {
            int actual = CarbonConsistentHashRing.ComputePosition(oracle.Names[i]);
            if (actual != (int)expected[i]!)
            {
                diffs.Add($"{Escape(oracle.Names[i])}: python {expected[i]}, C# {actual}");
            }
        }

        AssertNone(diffs);
    }

    [Fact]
    public void Destinations_parse_as_carbon_parses_them()
    {
        foreach ((string set, (string[] _, CarbonNode[] nodes)) in CarbonOracleFixture.DestinationSets)
        {
            JsonArray parsed = Set(set)["parsed"]!.AsArray();
            Assert.Equal(nodes.Length, parsed.Count);
            for (int i = 0; i < nodes.Length; i++)
            {
                var triple = parsed[i]!.AsArray();
                Assert.Equal(nodes[i], new CarbonNode((string)triple[0]!, (int)triple[1]!, (string?)triple[2]));
            }
        }
    }

    [Fact]
    public void Ring_entries_match_ConsistentHashRing_including_collision_bumps()
    {
        var diffs = new List<string>();
        int bumped = 0;
        foreach ((string set, (string[] _, CarbonNode[] nodes)) in CarbonOracleFixture.DestinationSets)
        {
            var ring = new CarbonConsistentHashRing(nodes);
            (int Position, CarbonNode Node)[] entries = ring.GetEntries();
            JsonArray expected = Set(set)["ring"]!.AsArray();
            if (entries.Length != expected.Count)
            {
                diffs.Add($"{set}: {expected.Count} entries in python, {entries.Length} in C#");
                continue;
            }

            for (int i = 0; i < entries.Length; i++)
            {
                var entry = expected[i]!.AsArray();
                (int position, int owner) = ((int)entry[0]!, (int)entry[1]!);
                if (entries[i].Position != position || entries[i].Node != nodes[owner])
                {
                    diffs.Add($"{set} entry {i}: python ({position}, {nodes[owner]}), C# ({entries[i].Position}, {entries[i].Node})");
                }
            }

            var unbumped = new HashSet<int>(nodes.SelectMany(n => Enumerable.Range(0, 100).Select(r => CarbonConsistentHashRing.ComputePosition(CarbonConsistentHashRing.RingKey(n, r)))));
            bumped += entries.Count(e => !unbumped.Contains(e.Position));
        }

        AssertNone(diffs);
        Assert.True(bumped > 0, "no destination set exercised carbon's collision bump");
    }

    [Fact]
    public void Normalised_keys_match_TaggedSeries_parse_path()
    {
        JsonArray expected = oracle.Answer["normalized"]!.AsArray();
        var diffs = new List<string>();
        int parsedTagged = 0;
        for (int i = 0; i < oracle.Names.Count; i++)
        {
            string name = oracle.Names[i];
            string? python = (string?)expected[i];
            string? csharp = CarbonRouterKey.TryNormalize(name, out string? normalized) ? normalized : null;
            if (python != csharp)
            {
                diffs.Add($"{Escape(name)}: python {Escape(python)}, C# {Escape(csharp)}");
            }

            if (CarbonRouterKey.ForMetric(name, normalizeTags: true) != (python ?? name))
            {
                diffs.Add($"{Escape(name)}: ForMetric(normalizeTags: true) is not python's relay key");
            }

            if (python is not null && python != name)
            {
                parsedTagged++;
            }
        }

        AssertNone(diffs);
        Assert.True(parsedTagged >= 500, $"only {parsedTagged} names changed by normalisation");
        Assert.Contains(expected, e => e is null);
    }

    [Fact]
    public void GetNode_matches_ConsistentHashRing_get_node_for_every_name_and_set()
    {
        var diffs = new List<string>();
        int compared = 0;
        foreach ((string set, (string[] _, CarbonNode[] nodes)) in CarbonOracleFixture.DestinationSets)
        {
            var ring = new CarbonConsistentHashRing(nodes);
            foreach ((string mode, bool normalize) in Modes)
            {
                JsonArray expected = Set(set)["getNode"]![mode]!.AsArray();
                for (int i = 0; i < oracle.Names.Count; i++)
                {
                    CarbonNode actual = ring.GetNode(CarbonRouterKey.ForMetric(oracle.Names[i], normalize));
                    CarbonNode python = nodes[(int)expected[i]!];
                    compared++;
                    if (actual != python)
                    {
                        diffs.Add($"{set}/{mode} {Escape(oracle.Names[i])}: python {python}, C# {actual}");
                    }
                }
            }
        }

        AssertNone(diffs);
        Assert.Equal(CarbonOracleFixture.DestinationSets.Count * Modes.Length * oracle.Names.Count, compared);
    }

    [Fact]
    public void GetNodes_matches_ConsistentHashingRouter_getDestinations_for_every_name_and_setting()
    {
        var diffs = new List<string>();
        int compared = 0;
        int pythonRepeats = 0;
        foreach ((string set, (string[] _, CarbonNode[] nodes)) in CarbonOracleFixture.DestinationSets)
        {
            var ring = new CarbonConsistentHashRing(nodes);
            foreach ((string mode, bool normalize) in Modes)
            {
                foreach (int replication in new[] { 1, 2 })
                {
                    foreach (bool diverse in new[] { true, false })
                    {
                        string label = string.Create(CultureInfo.InvariantCulture, $"{mode}/r{replication}/{(diverse ? "diverse" : "plain")}");
                        JsonArray expected = Set(set)["routes"]![label]!.AsArray();
                        for (int i = 0; i < oracle.Names.Count; i++)
                        {
                            CarbonNode[] python = [.. expected[i]!.AsArray().Select(j => nodes[(int)j!])];
                            CarbonNode[] distinct = [.. python.Distinct()];
                            if (distinct.Length != python.Length)
                            {
                                // carbon's get_nodes yields the only node of a one-node ring twice; the relay sends once.
                                Assert.Equal("one", set);
                                pythonRepeats++;
                            }

                            IReadOnlyList<CarbonNode> actual = ring.GetNodes(CarbonRouterKey.ForMetric(oracle.Names[i], normalize), replication, diverse);
                            compared++;
                            if (!actual.SequenceEqual(distinct))
                            {
                                diffs.Add($"{set}/{label} {Escape(oracle.Names[i])}: python [{string.Join(", ", python)}], C# [{string.Join(", ", actual)}]");
                            }
                        }
                    }
                }
            }
        }

        AssertNone(diffs);
        Assert.Equal(CarbonOracleFixture.DestinationSets.Count * Modes.Length * 4 * oracle.Names.Count, compared);
        Assert.True(pythonRepeats > 0, "expected carbon's one-node repeat to show up");
    }

    private static readonly (string Mode, bool Normalize)[] Modes = [("raw", false), ("normalized", true)];

    private JsonObject Set(string name) => oracle.Answer["sets"]![name]!.AsObject();

    private static void AssertNone(List<string> diffs)
    {
        Assert.True(diffs.Count == 0, $"{diffs.Count} differences from carbon, first ones:\n" + string.Join("\n", diffs.Take(20)));
    }

    private static string Escape(string? text) =>
        text is null ? "(unparseable)" : PythonStringRepr.Repr(text);
}
