using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AioGraphite.Cluster;
using AioGraphite.Naming;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Tests.Cluster;

/// <summary>
/// Runs the Python model of carbon-c-relay 3.7.3's <c>carbon_ch</c> from <c>scripts/probe-carbon-c-relay-ch.py</c>
/// (which agreed with the real relay on every line it sent) on the corpus and on names next to ring collisions, once,
/// for the parity tests.
/// </summary>
public sealed class CRelayModelFixture : IAsyncLifetime
{
    /// <summary>Destination sets: host and instance matter (the port does not); several have colliding ring entries.</summary>
    internal static readonly IReadOnlyDictionary<string, CarbonNode[]> DestinationSets = new Dictionary<string, CarbonNode[]>(StringComparer.Ordinal)
    {
        ["two"] = [new("127.0.0.1", 2004, "a"), new("127.0.0.1", 2104, "b")],
        ["three"] = [new("127.0.0.1", 2004, "a"), new("127.0.0.1", 2104, "b"), new("127.0.0.1", 2204, "c")],
        ["three-hosts"] = [new("127.0.0.1", 2004, "a"), new("127.0.0.2", 2004, "b"), new("127.0.0.3", 2004, "c")],
        ["five"] =
        [
            new("127.0.0.1", 2004, "a"), new("127.0.0.1", 2104, "b"), new("127.0.0.1", 2204, "c"),
            new("127.0.0.1", 2304, "d"), new("127.0.0.1", 2404, "e"),
        ],
        ["five-hosts"] =
        [
            new("10.0.0.1", 2004, "a"), new("10.0.0.1", 2104, "b"), new("10.0.0.2", 2004, "a"),
            new("10.0.0.3", 2004, "c"), new("cache.example", 2004, null),
        ],
        ["no-instance"] = [new("10.0.0.1", 2004, null), new("10.0.0.2", 2004, null), new("10.0.0.3", 2004, null)],
        ["mixed-instance"] = [new("127.0.0.2", 2004, null), new("127.0.0.1", 2004, "a"), new("127.0.0.2", 2104, "z")],
        ["ipv6"] = [new("::1", 2004, "a"), new("::1", 2104, "b"), new("2001:db8::1", 2004, null)],
        ["one"] = [new("127.0.0.1", 2004, "a")],

        // collide at 3775 (docs/notes/carbon-ch-placement.md, fact D); listed in both orders
        ["collide"] = [new("127.0.0.1", 2004, "i753741"), new("127.0.0.1", 2104, "i964854")],
        ["collide-reversed"] = [new("127.0.0.1", 2104, "i964854"), new("127.0.0.1", 2004, "i753741")],

        // quotes go into carbon-c-relay's ring keys unescaped; a very long host makes keys longer than its 255-byte buffer
        ["odd-text"] = [new("10.0.0.1", 2004, "it's"), new("10.0.0.1", 2104, "back\\slash"), new(new string('h', 250), 2004, "a")],
    };

    /// <summary>Replication factors checked.</summary>
    internal static readonly int[] Replications = [1, 2, 3];

    // The model lives in one place, scripts/probe-carbon-c-relay-ch.py (which measured it against a real
    // carbon-c-relay); the oracle loads its sanitize() and CRelayModel (argv[1] is the script's path).
    private const string Script = """
        import importlib.util, json, sys
        spec = importlib.util.spec_from_file_location("probe_carbon_c_relay_ch", sys.argv[1])
        probe = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(probe)
        sanitize, CRelayModel = probe.sanitize, probe.CRelayModel

        inp = json.loads(sys.stdin.buffer.read().decode('utf-8'))
        raw = [n.encode('utf-8') for n in inp['names']]
        san = [sanitize(r) for r in raw]
        out = {'rewritten': [s[0].decode('utf-8') for s in san], 'keys': [s[1].decode('ascii') for s in san], 'sets': {}}
        for set_name, members in inp['sets'].items():
            members = [(h, i) for h, i in members]
            index = {m: j for j, m in enumerate(members)}
            model = CRelayModel(members)
            out['sets'][set_name] = {
                'ring': [[p, index[o]] for p, o in zip(model.pos, model.owners)],
                'routes': {str(r): [[index[o] for o in model.get_nodes(s[1], r)] for s in san] for r in inp['replications']},
            }
        sys.stdout.write(json.dumps(out))
        """;

    /// <summary>The names compared: the corpus names the client accepts, names the relay rewrites, names next to collisions.</summary>
    internal IReadOnlyList<string> Names { get; private set; } = [];

    /// <summary>Ring positions that hold entries of two or more destinations in some set (carbon-c-relay keys).</summary>
    internal IReadOnlySet<int> CollidedPositions { get; private set; } = new HashSet<int>();

    /// <summary>The model's answer.</summary>
    internal JsonObject Answer { get; private set; } = [];

    /// <inheritdoc/>
    public async ValueTask InitializeAsync()
    {
        // The client refuses whitespace and control characters, so the relay's field splitting never applies.
        var names = MetricNameCorpus.Build().Where(n => MetricNameRules.Check(n, out _) is null).ToList();
        names.AddRange(RewrittenNames());

        var collided = new HashSet<int>();
        foreach (CarbonNode[] nodes in DestinationSets.Values)
        {
            var owners = new Dictionary<int, HashSet<CarbonNode>>();
            foreach (CarbonNode node in nodes)
            {
                for (int r = 0; r < CarbonConsistentHashRing.DefaultReplicas; r++)
                {
                    int position = CarbonConsistentHashRing.ComputePosition(CRelayRingKeyBytes(node, r));
                    (owners.TryGetValue(position, out HashSet<CarbonNode>? set) ? set : owners[position] = []).Add(node);
                }
            }

            collided.UnionWith(owners.Where(o => o.Value.Count > 1).Select(o => o.Key));
        }

        CollidedPositions = collided;
        names.AddRange(MetricNameCorpus.AtPositions([.. collided.SelectMany(p => new[] { p - 1, p, p + 1, p + 2 }).Where(p => p is >= 0 and < 65536).Distinct()], perPosition: 3));
        Names = names;

        string json = JsonSerializer.Serialize(new
        {
            names,
            sets = DestinationSets.ToDictionary(s => s.Key, s => s.Value.Select(n => new object?[] { n.Host, n.Instance }).ToArray(), StringComparer.Ordinal),
            replications = Replications,
        });
        string probe = Path.Combine(RepositoryRoot.Find(), "scripts", "probe-carbon-c-relay-ch.py");
        string output = await PythonScript.RunAsync(Script, json, [probe], TestContext.Current.CancellationToken);
        Answer = JsonNode.Parse(output)!.AsObject();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>carbon-c-relay's ring key bytes: at most 255.</summary>
    internal static byte[] CRelayRingKeyBytes(CarbonNode node, int replica)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(CarbonConsistentHashRing.CRelayRingKey(node, replica));
        return bytes.Length > 255 ? bytes[..255] : bytes;
    }

    // Names carbon-c-relay rewrites (fact B and C2 of the note): characters outside [0-9A-Za-z-_:#], '..', leading and
    // trailing dots, in plain and tagged names.
    private static List<string> RewrittenNames()
    {
        var random = new Random(7);
        string[] bad = ["@", "/", "%", "\u00e9", "..", "!", "(", "*", "+", "=", "\u65e5", "\U0001F600", "~", "'", "\"", ",", "?"];
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        string Segment() => new([.. Enumerable.Range(0, random.Next(1, 9)).Select(_ => Alphabet[random.Next(Alphabet.Length)])]);
        var names = new List<string>();
        for (int i = 0; i < 500; i++)
        {
            var segments = Enumerable.Range(0, random.Next(1, 6)).Select(_ => Segment()).ToList();
            int k = random.Next(segments.Count);
            segments[k] += bad[random.Next(bad.Length)] + Segment();
            string name = (random.Next(5) == 0 ? "." : string.Empty) + string.Join('.', segments) + (random.Next(5) == 0 ? "." : string.Empty);
            if (i % 3 == 0)
            {
                name += string.Create(CultureInfo.InvariantCulture, $";k{random.Next(10)}=v{random.Next(100)}{(random.Next(4) == 0 ? "..x" : string.Empty)};a=b");
            }

            names.Add(name);
        }

        return names;
    }
}
