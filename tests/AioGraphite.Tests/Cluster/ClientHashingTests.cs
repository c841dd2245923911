using System.Globalization;
using AioGraphite.Cluster;
using AioGraphite.Protocols;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Tests.Cluster;

/// <summary>GraphiteClient over two sinks: <see cref="GraphiteClientOptions.Hashing"/> decides where each name goes; names are sent unchanged.</summary>
public sealed class ClientHashingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(ConsistentHashing.CarbonRelay)]
    [InlineData(ConsistentHashing.CarbonCRelay)]
    public async Task Each_name_goes_to_the_sink_the_chosen_relay_would_pick(ConsistentHashing hashing)
    {
        await using LoopbackSink a = LoopbackSink.Start();
        await using LoopbackSink b = LoopbackSink.Start();
        GraphiteDestination[] destinations = [new("127.0.0.1", a.Port, "a"), new("127.0.0.1", b.Port, "b")];
        var ring = new CarbonConsistentHashRing(destinations.Select(d => new CarbonNode(d.Host, d.Port, d.Instance)), hashing: hashing);
        string[] names =
        [
            .. Enumerable.Range(0, 200).Select(i => string.Create(CultureInfo.InvariantCulture, $"app.m{i}")),
            .. Enumerable.Range(0, 100).Select(i => string.Create(CultureInfo.InvariantCulture, $"cpu.p{i % 10};host=h{i};dc=x")),
            "caf\u00e9..x", "odd@name.",
        ];
        await using (var client = await GraphiteClient.ConnectAsync(destinations, new PlaintextProtocol(), new GraphiteClientOptions { Hashing = hashing }, Ct))
        {
            await client.SendMultipleAsync(names.Select(n => new Datapoint(n, 1, 1_700_000_000)), cancellationToken: Ct);
            await client.FlushAsync(Ct);
        }

        await a.WaitUntilAsync(s => Lines(s).Count + Lines(b).Count == names.Length, "every line");
        HashSet<string> onA = [.. Lines(a)];
        HashSet<string> onB = [.. Lines(b)];
        foreach (string name in names)
        {
            string key = hashing == ConsistentHashing.CarbonCRelay ? CarbonCRelayKey.ForMetric(name) : name;
            string expected = ring.GetNode(key).Instance!;
            Assert.True(expected == "a" ? onA.Contains(name) : onB.Contains(name), $"{name} should be on {expected}, sent unchanged");
        }

        // carbon-c-relay hashes only the path: the ten paths' 100 tagged series sit with their path
        int pathsSplit = Enumerable.Range(0, 10).Count(p => names.Where(n => n.StartsWith($"cpu.p{p};", StringComparison.Ordinal)).Select(n => onA.Contains(n)).Distinct().Count() > 1);
        if (hashing == ConsistentHashing.CarbonCRelay)
        {
            Assert.Equal(0, pathsSplit);
        }
        else
        {
            Assert.True(pathsSplit > 0);
        }
    }

    // the names of the complete lines received so far
    private static List<string> Lines(LoopbackSink sink)
    {
        string text = sink.AllText;
        return [.. text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.IndexOf(' ', StringComparison.Ordinal)])];
    }
}
