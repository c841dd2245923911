using System.Globalization;

namespace AioGraphite.Throughput;

/// <summary>Command-line settings of the throughput tool.</summary>
internal sealed record ToolOptions
{
    public const string Usage = """
        AioGraphite.Throughput: end-to-end throughput of GraphiteClient over loopback TCP.

          dotnet run -c Release --project bench/AioGraphite.Throughput -- [options]

          --mode sink|carbon|relay|stalled
                                  sink (default): a byte-counting loopback sink started here, plus the raw-socket ceiling.
                                  carbon: a real carbon-cache; relay: carbon-c-relay in front of carbon-cache.
                                  stalled: a sink that accepts and never reads (memory stays bounded?).
          --stalled               same as --mode stalled
          --points N              points per run (default 20M; 1M for carbon/relay; 10M for stalled). Suffixes k, M, G.
          --runs K                measured runs per protocol, the median is reported (default 5; 1 for carbon/relay/stalled)
          --warmup N              points sent once before the measured runs, not reported (default 1M; 0 = none)
          --protocol plaintext|pickle|both   (default both)
          --api multiple|trysend  SendMultipleAsync with a reused array (default) or one TrySend per point
          --batch N               points per SendMultipleAsync call (default 1000)
          --buffer-bytes N        GraphiteClientOptions.BufferCapacityBytes (default: the client's, 64Mi). Suffixes Ki, Mi, Gi.
          --batch-bytes N         GraphiteClientOptions.BatchSizeBytes (default: the client's, 64Ki)
          --no-replay             ReplayEnabled = false
          --no-ceiling            sink mode: skip the raw-socket ceiling (for profiling the client alone)
          --alloc-types           sink mode: sample what allocates (GCAllocationTick by type) in the second half of each run
          --no-verify             the sink counts bytes only (no line / pickle-item counting)
          --markdown PATH         also write the final table to PATH
        """;

    public string Mode { get; init; } = "sink";

    public long? Points { get; init; }

    public int? Runs { get; init; }

    public long Warmup { get; init; } = 1_000_000;

    public IReadOnlyList<string> Protocols { get; init; } = ["plaintext", "pickle"];

    public string Api { get; init; } = "multiple";

    public int Batch { get; init; } = 1000;

    public long? BufferBytes { get; init; }

    public int? BatchBytes { get; init; }

    public bool Replay { get; init; } = true;

    public bool Verify { get; init; } = true;

    public bool Ceiling { get; init; } = true;

    public bool AllocationTypes { get; init; }

    public string? MarkdownPath { get; init; }

    public long PointsOrDefault => Points ?? Mode switch
    {
        "carbon" or "relay" => 1_000_000,
        "stalled" => 10_000_000,
        _ => 20_000_000,
    };

    public int RunsOrDefault => Runs ?? (Mode == "sink" ? 5 : 1);

    /// <summary>The client options every mode starts from.</summary>
    public GraphiteClientOptions ClientOptions(FullBufferPolicy policy)
    {
        GraphiteClientOptions o = GraphiteClientOptions.Default with
        {
            FullBufferPolicy = policy,
            FullBufferWaitTimeout = TimeSpan.FromMinutes(5),
            ReplayEnabled = Replay,
        };
        if (BufferBytes is long buffer)
        {
            o = o with { BufferCapacityBytes = buffer };
        }

        if (BatchBytes is int batch)
        {
            o = o with { BatchSizeBytes = batch };
        }

        return o;
    }

    public static ToolOptions Parse(string[] args)
    {
        var o = new ToolOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{arg} needs a value");
            o = arg switch
            {
                "--mode" => o with { Mode = OneOf(Next(), "sink", "carbon", "relay", "stalled") },
                "--stalled" => o with { Mode = "stalled" },
                "--points" => o with { Points = ParseCount(Next()) },
                "--runs" => o with { Runs = (int)ParseCount(Next()) },
                "--warmup" => o with { Warmup = ParseCount(Next()) },
                "--protocol" => o with
                {
                    Protocols = OneOf(Next(), "plaintext", "pickle", "both") switch
                    {
                        "both" => ["plaintext", "pickle"],
                        string p => [p],
                    },
                },
                "--api" => o with { Api = OneOf(Next(), "multiple", "trysend") },
                "--batch" => o with { Batch = (int)ParseCount(Next()) },
                "--buffer-bytes" => o with { BufferBytes = ParseCount(Next()) },
                "--batch-bytes" => o with { BatchBytes = (int)ParseCount(Next()) },
                "--no-replay" => o with { Replay = false },
                "--no-verify" => o with { Verify = false },
                "--no-ceiling" => o with { Ceiling = false },
                "--alloc-types" => o with { AllocationTypes = true },
                "--markdown" => o with { MarkdownPath = Next() },
                _ => throw new UsageException($"unknown argument {arg}"),
            };
        }

        if (o.Runs is < 1 || o.Points is < 1 || o.Batch < 1)
        {
            throw new UsageException("--runs, --points and --batch must be positive");
        }

        return o;
    }

    private static string OneOf(string value, params string[] allowed) =>
        allowed.Contains(value, StringComparer.Ordinal) ? value : throw new UsageException($"'{value}' is not one of {string.Join(", ", allowed)}");

    /// <summary>Parses 20000000, 20M, 1.5k, 64Mi, 1Gi.</summary>
    public static long ParseCount(string text)
    {
        try
        {
            return ParseCountCore(text);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            throw new UsageException($"'{text}' is not a count (examples: 20000000, 20M, 1.5k, 64Mi)", ex);
        }
    }

    private static long ParseCountCore(string text)
    {
        (string suffix, double factor)[] suffixes = [("Ki", 1024), ("Mi", 1 << 20), ("Gi", 1 << 30), ("k", 1e3), ("K", 1e3), ("M", 1e6), ("G", 1e9)];
        foreach ((string suffix, double factor) in suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                return checked((long)(double.Parse(text[..^suffix.Length], CultureInfo.InvariantCulture) * factor));
            }
        }

        return long.Parse(text.Replace("_", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);
    }
}
