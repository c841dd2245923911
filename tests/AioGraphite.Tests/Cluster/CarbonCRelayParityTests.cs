using System.Globalization;
using System.Text.Json.Nodes;
using AioGraphite.Cluster;
using Xunit;

namespace AioGraphite.Tests.Cluster;

/// <summary>
/// The <see cref="ConsistentHashing.CarbonCRelay"/> ring and key against the Python model of carbon-c-relay 3.7.3's
/// <c>carbon_ch</c> (<see cref="CRelayModelFixture"/>): same rewritten names, same keys, same ring after collisions,
/// same destinations for every name, destination set and replication 1 to 3. Zero differences allowed.
/// </summary>
public sealed class CarbonCRelayParityTests(CRelayModelFixture model) : IClassFixture<CRelayModelFixture>
{
    [Fact]
    public void Inputs_cover_at_least_2000_names_tags_rewrites_and_collisions()
    {
        Assert.True(model.Names.Count >= 2000, $"{model.Names.Count} names");
        Assert.True(model.Names.Count(n => n.Contains(';', StringComparison.Ordinal)) >= 500);
        Assert.True(model.Names.Count(n => !CarbonCRelayForwardedName.IsKeptAsSent(n)) >= 500);
        Assert.True(model.CollidedPositions.Count >= 3, $"collided positions: {string.Join(", ", model.CollidedPositions)}");
        Assert.Contains(3775, model.CollidedPositions);
    }

    [Fact]
    public void Rewritten_names_and_keys_match_the_model()
    {
        JsonArray rewritten = model.Answer["rewritten"]!.AsArray();
        JsonArray keys = model.Answer["keys"]!.AsArray();
        var diffs = new List<string>();
        for (int i = 0; i < model.Names.Count; i++)
        {
            string name = model.Names[i];
            if (CarbonCRelayForwardedName.Of(name) != (string)rewritten[i]!)
            {
                diffs.Add($"{Escape(name)}: forwarded as {Escape((string)rewritten[i]!)} by the model, {Escape(CarbonCRelayForwardedName.Of(name))} by C#");
            }

            if (CarbonCRelayKey.ForMetric(name) != (string)keys[i]!)
            {
                diffs.Add($"{Escape(name)}: key {Escape((string)keys[i]!)} in the model, {Escape(CarbonCRelayKey.ForMetric(name))} in C#");
            }
        }

        AssertNone(diffs);
    }

    [Fact]
    public void Ring_entries_match_the_model_without_collision_bumps()
    {
        var diffs = new List<string>();
        int duplicates = 0;
        foreach ((string set, CarbonNode[] nodes) in CRelayModelFixture.DestinationSets)
        {
            (int Position, CarbonNode Node)[] entries = new CarbonConsistentHashRing(nodes, hashing: ConsistentHashing.CarbonCRelay).GetEntries();
            JsonArray expected = model.Answer["sets"]![set]!["ring"]!.AsArray();
            Assert.Equal(expected.Count, entries.Length);
            for (int i = 0; i < entries.Length; i++)
            {
                var entry = expected[i]!.AsArray();
                (int position, int owner) = ((int)entry[0]!, (int)entry[1]!);
                if (entries[i].Position != position || entries[i].Node != nodes[owner])
                {
                    diffs.Add($"{set} entry {i}: model ({position}, {nodes[owner]}), C# ({entries[i].Position}, {entries[i].Node})");
                }

                if (i > 0 && entries[i].Position == entries[i - 1].Position)
                {
                    duplicates++;
                }
            }

            Assert.All(entries, e => Assert.InRange(e.Position, 0, 65535));
        }

        AssertNone(diffs);
        Assert.True(duplicates > 0, "no set has two entries at one position");
    }

    [Fact]
    public void Destinations_match_the_model_for_every_name_set_and_replication()
    {
        var diffs = new List<string>();
        int compared = 0;
        foreach ((string set, CarbonNode[] nodes) in CRelayModelFixture.DestinationSets)
        {
            var ring = new CarbonConsistentHashRing(nodes, hashing: ConsistentHashing.CarbonCRelay);
            foreach (int replication in CRelayModelFixture.Replications)
            {
                JsonArray expected = model.Answer["sets"]![set]!["routes"]![replication.ToString(CultureInfo.InvariantCulture)]!.AsArray();
                for (int i = 0; i < model.Names.Count; i++)
                {
                    string key = CarbonCRelayKey.ForMetric(model.Names[i]);
                    CarbonNode[] python = [.. expected[i]!.AsArray().Select(j => nodes[(int)j!])];

                    // DIVERSE_REPLICAS does not exist in carbon-c-relay: either value gives the same answer
                    foreach (bool diverse in new[] { true, false })
                    {
                        IReadOnlyList<CarbonNode> actual = ring.GetNodes(key, replication, diverse);
                        compared++;
                        if (!actual.SequenceEqual(python))
                        {
                            diffs.Add($"{set}/r{replication} {Escape(model.Names[i])}: model [{string.Join(", ", python)}], C# [{string.Join(", ", actual)}]");
                        }
                    }

                    if (replication == 1 && ring.GetNode(key) != python[0])
                    {
                        diffs.Add($"{set} GetNode {Escape(model.Names[i])}: model {python[0]}, C# {ring.GetNode(key)}");
                    }
                }
            }
        }

        AssertNone(diffs);
        Assert.Equal(CRelayModelFixture.DestinationSets.Count * CRelayModelFixture.Replications.Length * model.Names.Count * 2, compared);
    }

    [Fact]
    public void Names_next_to_a_collision_are_where_graphite_carbon_s_ring_would_not_put_them()
    {
        // The test can tell the rings apart: on the colliding pair, carbon's bump moves the names at 3776 (fact D).
        CarbonNode[] nodes = CRelayModelFixture.DestinationSets["collide"];
        var crelay = new CarbonConsistentHashRing(nodes, hashing: ConsistentHashing.CarbonCRelay);
        var carbon = new CarbonConsistentHashRing(nodes);
        string[] at3776 = [.. model.Names.Select(CarbonCRelayKey.ForMetric).Where(k => CarbonConsistentHashRing.ComputePosition(k) == 3776)];
        Assert.NotEmpty(at3776);
        Assert.All(at3776, k => Assert.NotEqual(carbon.GetNode(k), crelay.GetNode(k)));
    }

    private static string Escape(string? text) =>
        text is null ? "null" : string.Concat(text.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString()));

    private static void AssertNone(List<string> diffs) =>
        Assert.True(diffs.Count == 0, $"{diffs.Count} differences, first ones:\n{string.Join('\n', diffs.Take(20))}");
}
