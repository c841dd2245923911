using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AioGraphite.Tests.Cluster;

/// <summary>
/// Runs graphite-carbon's own Python code (<c>carbon.hashing</c>, <c>carbon.routers</c>, <c>carbon.util</c>) on inputs
/// written to a temp JSON file and returns what it computed. Missing Python or carbon is a test failure.
/// </summary>
internal static class CarbonPythonOracle
{
    public const string PythonPath = "/usr/bin/python3";

    private const string FixIt =
        "Install graphite-carbon so that `/usr/bin/python3 -c 'import carbon.hashing, carbon.routers'` works: "
        + "run scripts/install-carbon.sh, or as root `apt-get install graphite-carbon` "
        + "(Debian's python3 on PATH may be a pyenv shim; the test runs /usr/bin/python3).";

    /// <summary>The script: every answer comes from carbon's own functions.</summary>
    private const string Script = """
        import json, sys, warnings
        warnings.simplefilter('ignore')
        try:
            from carbon.hashing import ConsistentHashRing, carbonHash
            from carbon.routers import ConsistentHashingRouter
            from carbon.util import TaggedSeries, parseDestinations
            from carbon.conf import Settings
        except ImportError as e:
            sys.stderr.write('cannot import carbon: %s\n' % e)
            sys.exit(3)

        with open(sys.argv[1], encoding='utf-8') as f:
            inp = json.load(f)
        names = inp['names']
        out = {
            'reprs': [repr(s) for s in inp['reprStrings']],
            'ringKeys': ['%s:%d' % ((h, i), r) for h, i, r in inp['ringKeyNodes']],
            'positions': [carbonHash(n, 'carbon_ch') for n in names],
        }

        # RelayProcessor.process with TAG_RELAY_NORMALIZED = True
        def normalized(metric):
            try:
                return TaggedSeries.parse(metric).path
            except Exception:
                return None

        norm = [normalized(n) for n in names]
        out['normalized'] = norm
        keys = {'raw': names, 'normalized': [k if k is not None else n for k, n in zip(norm, names)]}
        sets = {}
        for set_name, dest_strings in inp['destinationSets'].items():
            dests = parseDestinations(dest_strings)
            index = {(s, i): j for j, (s, p, i) in enumerate(dests)}
            ring = ConsistentHashRing([(s, i) for s, p, i in dests])
            result = {
                'parsed': [list(d) for d in dests],
                'ring': [[p, index[node]] for p, node in ring.ring],
                'getNode': {mode: [index[ring.get_node(k)] for k in ks] for mode, ks in keys.items()},
            }
            routes = {}
            for repl in (1, 2):
                for diverse in (True, False):
                    settings = Settings()
                    settings['REPLICATION_FACTOR'] = repl
                    settings['DIVERSE_REPLICAS'] = diverse
                    router = ConsistentHashingRouter(settings)
                    for d in dests:
                        router.addDestination(d)
                    for mode, ks in keys.items():
                        label = '%s/r%d/%s' % (mode, repl, 'diverse' if diverse else 'plain')
                        routes[label] = [[index[(s, i)] for s, p, i in router.getDestinations(k)] for k in ks]
            result['routes'] = routes
            sets[set_name] = result
        out['sets'] = sets
        with open(sys.argv[2], 'w', encoding='utf-8') as f:
            json.dump(out, f)
        """;

    /// <summary>Runs carbon on <paramref name="input"/> (serialised to JSON) and returns its JSON answer.</summary>
    /// <param name="input">names, reprStrings, ringKeyNodes, destinationSets.</param>
    /// <returns>The parsed answer.</returns>
    public static async Task<JsonObject> RunAsync(object input)
    {
        if (!File.Exists(PythonPath))
        {
            throw new InvalidOperationException($"{PythonPath} is missing. " + FixIt);
        }

        string dir = Directory.CreateTempSubdirectory("aiographite-carbon-oracle-").FullName;
        try
        {
            string scriptPath = Path.Combine(dir, "oracle.py");
            string inputPath = Path.Combine(dir, "in.json");
            string outputPath = Path.Combine(dir, "out.json");
            await File.WriteAllTextAsync(scriptPath, Script);
            await File.WriteAllTextAsync(inputPath, JsonSerializer.Serialize(input));

            var start = new ProcessStartInfo(PythonPath)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("-W");
            start.ArgumentList.Add("ignore");
            start.ArgumentList.Add(scriptPath);
            start.ArgumentList.Add(inputPath);
            start.ArgumentList.Add(outputPath);
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {PythonPath}.");
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException ex)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("carbon's Python oracle did not finish within 2 minutes.", ex);
            }

            string errors = await stderr;
            await stdout;
            if (process.ExitCode == 3)
            {
                throw new InvalidOperationException($"graphite-carbon is not importable by {PythonPath} ({errors.Trim()}). " + FixIt);
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"carbon's Python oracle failed with exit code {process.ExitCode}: {errors}");
            }

            return JsonNode.Parse(await File.ReadAllTextAsync(outputPath))!.AsObject();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
