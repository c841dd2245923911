using System.Globalization;

namespace AioGraphite.Throughput;

/// <summary>Command-line settings of the throughput tool.</summary>
internal sealed record ToolOptions
{
    /// <summary>Soak mode's default duration.</summary>
    public static readonly TimeSpan DefaultSoakDuration = TimeSpan.FromMinutes(30);

    /// <summary>Soak mode's default time between samples.</summary>
    public static readonly TimeSpan DefaultSampleEvery = TimeSpan.FromSeconds(10);

    /// <summary>Soak mode's longest default warm-up.</summary>
    public static readonly TimeSpan MaxDefaultSoakWarmup = TimeSpan.FromMinutes(5);

    public const string Usage = """
        AioGraphite.Throughput: end-to-end throughput of GraphiteClient over loopback TCP.

          dotnet run -c Release --project bench/AioGraphite.Throughput -- [options]

          --mode sink|carbon|relay|stalled|latency|spool-recovery|soak
                                  sink (default): a byte-counting loopback sink started here, plus the raw-socket ceiling.
                                  carbon: a real carbon-cache; relay: carbon-c-relay in front of carbon-cache.
                                  stalled: a sink that accepts and never reads (memory stays bounded?).
                                  latency: how long each TrySend / SendAsync call holds the caller (p50, p99, p99.9, max)
                                  at a steady rate, with the default GraphiteClientOptions, while carbon is healthy,
                                  frozen or partitioned (see the latency options below).
                                  spool-recovery: fills a disk spool (--spool DIR, --points bytes' worth of records) with
                                  carbon unreachable, closes, and times how long opening a client on it takes (recovery).
                                  soak: a long run at a steady rate, watching the memory (see the soak options below).
          --stalled               same as --mode stalled
          --points N              points per run (default 20M; 1M for carbon/relay; 10M for stalled). Suffixes k, M, G.
          --runs K                measured runs per protocol, the median is reported (default 5; 1 for carbon/relay/stalled)
          --warmup N              points sent once before the measured runs, not reported (default 1M; 0 = none)
          --protocol plaintext|pickle|both   (default both)
          --api multiple|trysend  SendMultipleAsync with a reused array (default) or one TrySend per point
                                  (latency mode: trysend|sendasync|both, default both: one row each per scenario)
          --batch N               points per SendMultipleAsync call (default 1000)
          --buffer-bytes N        GraphiteClientOptions.BufferCapacityBytes (default: the client's, 64Mi). Suffixes Ki, Mi, Gi.
          --batch-bytes N         GraphiteClientOptions.BatchSizeBytes (default: the client's, 64Ki)
          --no-replay             ReplayEnabled = false
          --spool DIR             GraphiteClientOptions.SpoolDirectory = DIR (default sync interval); sink mode: throughput with the spool on
          --spool-bytes N         spool-recovery: how much to spool (default 1Gi). Suffixes Ki, Mi, Gi.
          --no-ceiling            sink mode: skip the raw-socket ceiling (for profiling the client alone)
          --cold                  sink mode, as a short-lived job sees it: no warm-up, one run of 1M points (or --points
                                  given before it), no ceiling; the JIT starts from scratch in every process (run it
                                  several times: one process per run)
          --alloc-types           sink mode: sample what allocates (GCAllocationTick by type) in the second half of each run
          --no-verify             the sink counts bytes only (no line / pickle-item counting)
          --tls                   sink mode: the sink speaks TLS (an SslStream server with a throw-away ECDSA P-256
                                  certificate made here), the client connects with GraphiteClientOptions.Tls (trusting
                                  that CA), and the ceiling writes through an SslStream too; also measures the connect
                                  time with and without TLS (median of 30 ConnectAsync each: the handshake's cost)
          --markdown PATH         also write the final table to PATH
          --interleave DIR_A DIR_B   an A/B of two builds of the library in one process (scripts/ab-throughput.sh runs it):
                                  DIR_A and DIR_B hold each build's AioGraphite.dll; each is loaded into a load context
                                  of its own with this tool's harness, and one producer thread sends chunks of the
                                  workload (SendMultipleAsync, 1000-point batches, each side its own loopback sink) to A
                                  and B in turn, A-B then B-A. Prints each round's CPU per point and the median ratio B/A
                                  with a 95 % bootstrap interval. --runs K rounds (default 200), --points N per chunk
                                  (default 256k), --warmup N points per side first (default 6M), --protocol as above.
          --original DIR          sink mode: also run the Python original (DIR: a checkout of zillow/aiographite, the
                                  directory holding its aiographite package) on the same workload into the same kind
                                  of sink, after the client's runs of each protocol (bench/original/send_original.py,
                                  /usr/bin/python3; as many runs as the client's, at most 3), and print the ratio

        Latency mode (--mode latency; plaintext unless --protocol is given; every client option is the default
        unless --buffer-bytes / --batch-bytes / --no-replay are given):
          --scenario healthy|frozen|partitioned|all   (default all)
                                  healthy: the server reads everything.
                                  frozen: after the warm-up the server stops reading (a SIGSTOPped carbon: its kernel
                                  acknowledges until the receive buffer is full, then advertises a zero window).
                                  partitioned: after the warm-up every packet is dropped both ways (nftables rule on the
                                  input hook, deleted after the row). Needs root and a network namespace of its own:
                                  run it through bench/latency-partitioned.sh, which creates a namespace (lo only), runs this
                                  tool inside it with --mode latency --scenario all [your options] and deletes it.
                                  Anywhere else (interfaces besides lo, or not made with ip netns add) the tool
                                  refuses to add the rule and skips the scenario.
          --rate N                points per second, one call per point, paced in ~1 ms bursts (default 100k)
          --seconds S             measured seconds per row, after the warm-up (default 30: at 100k points/s the
                                  default 64 MiB buffer fills ~14 s into a frozen or partitioned run, so the window
                                  holds both the buffering and the full-buffer phase)
          --warmup-seconds S      seconds at the same rate against the healthy server before the fault (default 2)
          --target sink|carbon    the server: the loopback sink started here (default), or a throw-away carbon-cache
                                  (frozen = SIGSTOP, SIGCONT after the row; needs scripts/install-carbon.sh)

        Soak mode (does a long-lived client keep its memory? plaintext unless --protocol is given; every client option
        is the default unless --spool / --buffer-bytes / --batch-bytes / --no-replay are given):
          --soak DURATION         same as --mode soak, for DURATION: 90s, 30m, 2h, or seconds (default 30m)
          --rate N                points per second, one TrySend per point without a timestamp (default 100k), into a
                                  loopback sink started here (it reads and counts the lines)
          --spool DIR             with a disk spool in DIR
          --sample-every S        seconds between samples (default 10): the live managed heap after a full collection
                                  (GC.GetTotalMemory(true)) and the resident set (Environment.WorkingSet), one progress
                                  line each
          --soak-warmup S         seconds left out of the slope (default a fifth of the duration, at most 300)
                                  At the end: start, end and the least-squares slope (bytes/s) of heap and resident set
                                  over the samples after the warm-up, and a Markdown row of them.
        """;

    public string Mode { get; init; } = "sink";

    public long? Points { get; init; }

    public int? Runs { get; init; }

    public long Warmup { get; init; } = 1_000_000;

    /// <summary>The warm-up as given on the command line (modes with a default of their own).</summary>
    public long? WarmupGiven { get; init; }

    /// <summary><c>--interleave DIR_A DIR_B</c>: the builds an interleaved A/B compares (<see cref="InterleavedAb"/>).</summary>
    public (string A, string B)? Interleave { get; init; }

    /// <summary>The protocols given with --protocol, or null for the mode's default.</summary>
    public IReadOnlyList<string>? ProtocolsGiven { get; init; }

    /// <summary>Both protocols by default; plaintext only in latency mode.</summary>
    public IReadOnlyList<string> Protocols => ProtocolsGiven ?? (Mode is "latency" or "soak" ? ["plaintext"] : ["plaintext", "pickle"]);

    /// <summary>The API given with --api, or null for the mode's default.</summary>
    public string? ApiGiven { get; init; }

    /// <summary>multiple by default; both (trysend and sendasync) in latency mode.</summary>
    public string Api => ApiGiven ?? (Mode == "latency" ? "both" : "multiple");

    /// <summary>Latency mode: the timed calls, trysend and/or sendasync.</summary>
    public IReadOnlyList<string> LatencyApis => Api == "both" ? ["trysend", "sendasync"] : [Api];

    public int Batch { get; init; } = 1000;

    public long? BufferBytes { get; init; }

    public int? BatchBytes { get; init; }

    public bool Replay { get; init; } = true;

    public string? Spool { get; init; }

    public long SpoolBytes { get; init; } = 1L << 30;

    public bool Verify { get; init; } = true;

    public bool Ceiling { get; init; } = true;

    public bool AllocationTypes { get; init; }

    /// <summary>Sink mode: TLS between the client and the sink.</summary>
    public bool Tls { get; init; }

    public string? MarkdownPath { get; init; }

    /// <summary>Sink mode: a checkout of the Python original (zillow/aiographite) to measure in the same run; null: not measured.</summary>
    public string? Original { get; init; }

    /// <summary>Latency mode: healthy, frozen, partitioned (in this order).</summary>
    public IReadOnlyList<string> Scenarios { get; init; } = ["healthy", "frozen", "partitioned"];

    /// <summary>Latency mode: points per second.</summary>
    public long Rate { get; init; } = 100_000;

    /// <summary>Latency mode: measured seconds per row.</summary>
    public double Seconds { get; init; } = 30;

    /// <summary>Latency mode: seconds against the healthy server before the fault.</summary>
    public double WarmupSeconds { get; init; } = 2;

    /// <summary>Latency mode: sink or carbon.</summary>
    public string Target { get; init; } = "sink";

    /// <summary>Soak mode: how long to run.</summary>
    public TimeSpan SoakDuration { get; init; } = DefaultSoakDuration;

    /// <summary>Soak mode: time between samples.</summary>
    public TimeSpan SampleEvery { get; init; } = DefaultSampleEvery;

    /// <summary>Soak mode: the warm-up given with --soak-warmup, or null for the default.</summary>
    public TimeSpan? SoakWarmup { get; init; }

    /// <summary>Soak mode: the warm-up left out of the slope: as given, else a fifth of the run, at most <see cref="MaxDefaultSoakWarmup"/>.</summary>
    public TimeSpan SoakWarmupOrDefault => SoakWarmup ?? TimeSpan.FromTicks(Math.Min(SoakDuration.Ticks / 5, MaxDefaultSoakWarmup.Ticks));

    public long PointsOrDefault => Points ?? Mode switch
    {
        "carbon" or "relay" => 1_000_000,
        "stalled" => 10_000_000,
        _ => 20_000_000,
    };

    public int RunsOrDefault => Runs ?? (Mode == "sink" ? 5 : 1);

    /// <summary>Latency mode: <see cref="GraphiteClientOptions.Default"/>, changed only by the options given on the command line.</summary>
    public GraphiteClientOptions LatencyClientOptions()
    {
        GraphiteClientOptions o = GraphiteClientOptions.Default with { SpoolDirectory = Spool };
        if (!Replay)
        {
            o = o with { ReplayEnabled = false };
        }

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

    /// <summary>The client options every mode starts from.</summary>
    public GraphiteClientOptions ClientOptions(FullBufferPolicy policy)
    {
        GraphiteClientOptions o = GraphiteClientOptions.Default with
        {
            FullBufferPolicy = policy,
            FullBufferWaitTimeout = TimeSpan.FromMinutes(5),
            ReplayEnabled = Replay,
            SpoolDirectory = Spool,
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
                "--mode" => o with { Mode = OneOf(Next(), "sink", "carbon", "relay", "stalled", "latency", "spool-recovery", "soak") },
                "--soak" => o with { Mode = "soak", SoakDuration = ParseDuration(Next()) },
                "--sample-every" => o with { SampleEvery = TimeSpan.FromSeconds(ParseSeconds(Next())) },
                "--soak-warmup" => o with { SoakWarmup = TimeSpan.FromSeconds(ParseSeconds(Next())) },
                "--spool" => o with { Spool = Path.GetFullPath(Next()) },
                "--spool-bytes" => o with { SpoolBytes = ParseCount(Next()) },
                "--stalled" => o with { Mode = "stalled" },
                "--points" => o with { Points = ParseCount(Next()) },
                "--runs" => o with { Runs = (int)ParseCount(Next()) },
                "--warmup" => ParseCount(Next()) is var warmup ? o with { Warmup = warmup, WarmupGiven = warmup } : o,
                "--interleave" => o with { Mode = "interleave", Interleave = (Path.GetFullPath(Next()), Path.GetFullPath(Next())) },
                "--protocol" => o with
                {
                    ProtocolsGiven = OneOf(Next(), "plaintext", "pickle", "both") switch
                    {
                        "both" => ["plaintext", "pickle"],
                        string p => [p],
                    },
                },
                "--api" => o with { ApiGiven = OneOf(Next(), "multiple", "trysend", "sendasync", "both") },
                "--batch" => o with { Batch = (int)ParseCount(Next()) },
                "--buffer-bytes" => o with { BufferBytes = ParseCount(Next()) },
                "--batch-bytes" => o with { BatchBytes = (int)ParseCount(Next()) },
                "--no-replay" => o with { Replay = false },
                "--no-verify" => o with { Verify = false },
                "--no-ceiling" => o with { Ceiling = false },
                "--cold" => o with { Warmup = 0, Runs = 1, Points = o.Points ?? 1_000_000, Ceiling = false },
                "--alloc-types" => o with { AllocationTypes = true },
                "--tls" => o with { Tls = true },
                "--markdown" => o with { MarkdownPath = Next() },
                "--original" => o with { Original = Path.GetFullPath(Next()) },
                "--scenario" => o with
                {
                    Scenarios = OneOf(Next(), "healthy", "frozen", "partitioned", "all") switch
                    {
                        "all" => ["healthy", "frozen", "partitioned"],
                        string s => [s],
                    },
                },
                "--rate" => o with { Rate = ParseCount(Next()) },
                "--seconds" => o with { Seconds = ParseSeconds(Next()) },
                "--warmup-seconds" => o with { WarmupSeconds = ParseSeconds(Next()) },
                "--target" => o with { Target = OneOf(Next(), "sink", "carbon") },
                _ => throw new UsageException($"unknown argument {arg}"),
            };
        }

        if (o.Runs is < 1 || o.Points is < 1 || o.Batch < 1)
        {
            throw new UsageException("--runs, --points and --batch must be positive");
        }

        if (o.Mode == "latency" ? o.Api == "multiple" : o.Api is "sendasync" or "both")
        {
            throw new UsageException($"--api {o.Api} does not apply to --mode {o.Mode} (latency: trysend|sendasync|both; otherwise multiple|trysend)");
        }

        if (o.Tls && o.Mode != "sink")
        {
            throw new UsageException("--tls applies to --mode sink only");
        }

        if (o.Rate < 1 || o.Seconds <= 0 || o.WarmupSeconds < 0)
        {
            throw new UsageException("--rate and --seconds must be positive, --warmup-seconds not negative");
        }

        if (o.Mode == "soak" && (o.SoakDuration <= TimeSpan.Zero || o.SampleEvery <= TimeSpan.Zero || o.SoakWarmup < TimeSpan.Zero || o.ProtocolsGiven is { Count: > 1 }))
        {
            throw new UsageException("--soak and --sample-every must be positive, --soak-warmup not negative, --protocol one of plaintext|pickle");
        }

        return o;
    }

    /// <summary>Parses 90s, 30m, 2h, or a number of seconds.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        (string suffix, double seconds) unit = text.EndsWith('h') ? ("h", 3600) : text.EndsWith('m') ? ("m", 60) : text.EndsWith('s') ? ("s", 1) : (string.Empty, 1);
        double value = ParseSeconds(text[..^unit.suffix.Length]);
        return value > 0 ? TimeSpan.FromSeconds(value * unit.seconds) : throw new UsageException($"'{text}' is not a positive duration (examples: 90s, 30m, 2h)");
    }

    private static string OneOf(string value, params string[] allowed) =>
        allowed.Contains(value, StringComparer.Ordinal) ? value : throw new UsageException($"'{value}' is not one of {string.Join(", ", allowed)}");

    private static double ParseSeconds(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && double.IsFinite(seconds)
            ? seconds
            : throw new UsageException($"'{text}' is not a number of seconds");

    /// <summary>Parses 20000000, 20M, 1.5k, 64Mi, 1Gi.</summary>
    public static long ParseCount(string text)
    {
        try
        {
            return AioGraphite.Bench.BenchArguments.Count(text);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            throw new UsageException($"'{text}' is not a count (examples: 20000000, 20M, 1.5k, 64Mi)", ex);
        }
    }
}
