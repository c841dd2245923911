using System.Text.Json.Nodes;
using AioGraphite.Cluster;
using Xunit;

namespace AioGraphite.Tests.Cluster;

/// <summary>Builds the inputs once, runs carbon's Python on them once, keeps both for the parity tests.</summary>
public sealed class CarbonOracleFixture : IAsyncLifetime
{
    /// <summary>Two instances on 127.0.0.1 whose ring entries collide at position 3775 (carbon bumps one to 3776).</summary>
    internal static readonly int[] CollisionPositions = [3775, 3776, 3777];

    internal static readonly IReadOnlyDictionary<string, (string[] Strings, CarbonNode[] Nodes)> DestinationSets =
        new Dictionary<string, (string[] Strings, CarbonNode[] Nodes)>(StringComparer.Ordinal)
        {
            ["two"] = (["127.0.0.1:2004:a", "127.0.0.1:2104:b"], [new("127.0.0.1", 2004, "a"), new("127.0.0.1", 2104, "b")]),
            ["three"] = (
                ["127.0.0.1:2004:a", "127.0.0.1:2104:b", "127.0.0.1:2204:c"],
                [new("127.0.0.1", 2004, "a"), new("127.0.0.1", 2104, "b"), new("127.0.0.1", 2204, "c")]),
            ["five"] = (
                ["127.0.0.1:2004:a", "127.0.0.1:2104:b", "127.0.0.1:2204:c", "127.0.0.1:2304:d", "127.0.0.1:2404:e"],
                [
                    new("127.0.0.1", 2004, "a"), new("127.0.0.1", 2104, "b"), new("127.0.0.1", 2204, "c"),
                    new("127.0.0.1", 2304, "d"), new("127.0.0.1", 2404, "e"),
                ]),
            ["five-hosts"] = (
                ["10.0.0.1:2004:a", "10.0.0.1:2104:b", "10.0.0.2:2004:a", "10.0.0.3:2004:c", "cache.example:2004"],
                [
                    new("10.0.0.1", 2004, "a"), new("10.0.0.1", 2104, "b"), new("10.0.0.2", 2004, "a"),
                    new("10.0.0.3", 2004, "c"), new("cache.example", 2004, null),
                ]),
            ["no-instance"] = (
                ["10.0.0.1:2004", "10.0.0.2:2004", "10.0.0.3:2004"],
                [new("10.0.0.1", 2004, null), new("10.0.0.2", 2004, null), new("10.0.0.3", 2004, null)]),
            ["ipv6"] = (
                ["[::1]:2004:a", "[::1]:2104:b", "[2001:db8::1]:2004"],
                [new("::1", 2004, "a"), new("::1", 2104, "b"), new("2001:db8::1", 2004, null)]),
            ["one"] = (["127.0.0.1:2004:a"], [new("127.0.0.1", 2004, "a")]),
            ["collide"] = (
                ["127.0.0.1:2004:i753741", "127.0.0.1:2104:i964854"],
                [new("127.0.0.1", 2004, "i753741"), new("127.0.0.1", 2104, "i964854")]),
        };

    /// <summary>Strings whose Python repr is compared (hosts and instances could be any of these).</summary>
    internal static readonly string[] ReprStrings =
    [
        "127.0.0.1", "a", string.Empty, "a'b", "x\"y", "a'\"b", "back\\slash", "tab\there", "nl\nx", "cr\rx", "\u0001\u001f\u007f",
        "é", "\u00a0", "\u00ad", "\u0085", "\u200b", "\u2028", "\u2029", "\u3000", "\ue000", "\u0378", "\uffff", "😀",
        "\U000F0000", "日本", "ключ", "𝔘", "\u0301", "host-1.example.com", "::1",
    ];

    internal IReadOnlyList<string> Names { get; private set; } = [];

    internal JsonObject Answer { get; private set; } = [];

    /// <inheritdoc/>
    public async ValueTask InitializeAsync()
    {
        var names = new List<string>(MetricNameCorpus.Build());
        names.AddRange(MetricNameCorpus.AtPositions(CollisionPositions, perPosition: 5));
        Names = names;

        var ringKeyNodes = new List<object?[]>();
        foreach (string host in ReprStrings)
        {
            ringKeyNodes.Add([host, null, 0]);
            ringKeyNodes.Add([host, "a", 99]);
            ringKeyNodes.Add(["127.0.0.1", host, 42]);
        }

        Answer = await CarbonPythonOracle.RunAsync(new
        {
            names,
            reprStrings = ReprStrings,
            ringKeyNodes,
            destinationSets = DestinationSets.ToDictionary(s => s.Key, s => s.Value.Strings, StringComparer.Ordinal),
        });
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
