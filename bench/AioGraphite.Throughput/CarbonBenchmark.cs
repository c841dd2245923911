using System.Diagnostics;
using System.Text;
using AioGraphite.Bench;
using AioGraphite.TestUtilities;

namespace AioGraphite.Throughput;

/// <summary>
/// Carbon and relay modes: N points to a real carbon-cache (or to carbon-c-relay in front of one), measuring how
/// fast the client hands the bytes over and how long carbon takes until every point is in whisper, next to the
/// client alone against the loopback sink; says which side is the bottleneck.
/// </summary>
internal static class CarbonBenchmark
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromMinutes(10);

    public static async Task<int> RunAsync(ToolOptions options)
    {
        bool relay = options.Mode == "relay";
        var table = new StringBuilder();
        table.AppendLine($"| protocol | server | points | client alone (sink) points/s | handed to the server points/s | stored in whisper points/s | server CPU (cores) | wrong values | bottleneck |");
        table.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---|");
        int exit = 0;
        foreach (string protocol in options.Protocols)
        {
            if (relay && protocol == "pickle")
            {
                Console.WriteLine("relay: pickle skipped: carbon-c-relay reads the line protocol only");
                continue;
            }

            (string row, bool ok) = await RunOneAsync(options, protocol, relay).ConfigureAwait(false);
            table.AppendLine(row);
            exit = ok ? exit : 1;
        }

        Console.WriteLine();
        Console.WriteLine(table);
        if (options.MarkdownPath is string path)
        {
            await File.WriteAllTextAsync(path, table.ToString()).ConfigureAwait(false);
        }

        return exit;
    }

    private static async Task<(string Row, bool Ok)> RunOneAsync(ToolOptions options, string protocol, bool relay)
    {
        long batches = (options.PointsOrDefault + options.Batch - 1) / options.Batch;
        long points = batches * options.Batch;

        // The client alone: the same workload into the loopback sink (after a warm-up, which also warms the JIT), at
        // least 10M points so that it shows the client's steady state rather than its start-up.
        double alone = await ClientAloneAsync(options, protocol, Math.Max(batches, 10_000_000 / options.Batch)).ConfigureAwait(false);
        Console.WriteLine($"{protocol}: the client alone hands {Fmt.Rate(alone)} points/s to a loopback sink");

        // The real server. Timestamps end just before now and the retention covers them (whisper drops older points).
        await using CarbonCacheServer cache = await CarbonCacheServer.StartAsync(new CarbonCacheOptions
        {
            Retentions = $"1:{batches + 3600}",
            ExtraSettings = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["WHISPER_AUTOFLUSH"] = "False", // carbon's shipped default (the test fixture turns it on)
            },
        }).ConfigureAwait(false);
        await using CarbonRelayServer? relayServer = relay ? await CarbonRelayServer.StartCRelayAsync([cache]).ConfigureAwait(false) : null;
        string server = relayServer is null ? "carbon-cache" : "carbon-c-relay → carbon-cache";
        int port = relayServer?.LinePort ?? (protocol == "pickle" ? cache.PicklePort : cache.LinePort);
        Console.WriteLine($"{protocol}: {server} ({cache}{(relayServer is null ? string.Empty : $"; relay {relayServer}")})");

        var workload = new Workload(options.Batch, firstTimestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds() - batches - 5);
        double cacheCpu0 = ProcessCpu.Seconds(cache.Pid) ?? double.NaN;
        double relayCpu0 = relayServer is null ? 0 : ProcessCpu.Seconds(relayServer.Pid) ?? double.NaN;
        ClientRun run = await ClientRun.StartAsync(protocol, port, options).ConfigureAwait(false);
        await run.SendAsync(workload, batches, options.Api).ConfigureAwait(false);
        double handedSeconds = Stopwatch.GetElapsedTime(run.Started, run.Flushed).TotalSeconds;
        Console.WriteLine($"{protocol}: {Fmt.Count(points)} points handed to the socket in {Fmt.Num(handedSeconds, "0.000")} s ({Fmt.Rate(points / handedSeconds)}/s); waiting for whisper ...");

        var verifier = new WhisperVerifier(cache, workload, batches);
        long? storedAt = await verifier.WaitAsync(StoreTimeout).ConfigureAwait(false);
        double storeSeconds = Stopwatch.GetElapsedTime(run.Started, storedAt ?? Stopwatch.GetTimestamp()).TotalSeconds;
        double cacheCpu = (ProcessCpu.Seconds(cache.Pid) ?? double.NaN) - cacheCpu0;
        double relayCpu = relayServer is null ? 0 : (ProcessCpu.Seconds(relayServer.Pid) ?? double.NaN) - relayCpu0;
        GraphiteClientStatistics stats = run.Client.Statistics;
        await run.Client.DisposeAsync().ConfigureAwait(false);

        double handedRate = points / handedSeconds;
        double storedRate = verifier.Stored / storeSeconds;
        string cpu = relayServer is null
            ? $"cache {Fmt.Num(cacheCpu / storeSeconds)}"
            : $"relay {Fmt.Num(relayCpu / storeSeconds)}, cache {Fmt.Num(cacheCpu / storeSeconds)}";
        double serverCores = (cacheCpu + relayCpu) / storeSeconds;
        string verdict = Verdict(alone, handedRate, storedRate, relayServer is not null, serverCores);
        Console.WriteLine($"{protocol}: {(storedAt is null ? $"TIMEOUT: only {Fmt.Count(verifier.Stored)} of {Fmt.Count(points)} points stored" : "all points stored")} after {Fmt.Num(storeSeconds, "0.0")} s ({Fmt.Rate(storedRate)}/s), {verifier.WrongValues} wrong values; client: written {Fmt.Count(stats.PointsWritten)}, dropped {stats.PointsDropped}; server CPU {cpu} cores");
        Console.WriteLine($"{protocol}: {verdict}");
        bool ok = storedAt is not null && verifier.WrongValues == 0 && stats.PointsDropped == 0;
        string row = $"| {protocol} | {server} | {Fmt.Count(points)} | {Fmt.Rate(alone)} | {Fmt.Rate(handedRate)} | {(storedAt is null ? "timeout " : string.Empty)}{Fmt.Rate(storedRate)} | {cpu} | {verifier.WrongValues} | {verdict} |";
        return (row, ok);
    }

    private static string Verdict(double alone, double handed, double stored, bool relay, double serverCores)
    {
        string first = relay ? "carbon-c-relay" : "carbon-cache";
        if (handed < alone * 0.5)
        {
            if (serverCores < 0.5)
            {
                return $"server: {first} reads {Fmt.Num(alone / handed, "0.0")}× slower than the client sends while using only {Fmt.Num(serverCores)} cores: its flow control (queues, stalls) sets the pace, not its CPU";
            }

            return stored < handed * 0.8
                ? $"server: {first} reads {Fmt.Num(alone / handed, "0.0")}× slower than the client sends, and carbon-cache stores {Fmt.Num(handed / stored, "0.0")}× slower still"
                : $"server: {first} reads {Fmt.Num(alone / handed, "0.0")}× slower than the client sends (TCP back-pressure)";
        }

        return stored < handed * 0.8
            ? $"server: the client hands over at {Fmt.Num(handed / alone * 100, "0")}% of its sink speed, carbon-cache stores {Fmt.Num(handed / stored, "0.0")}× slower (its cache absorbs the difference)"
            : "client: the server keeps up with the client";
    }

    private static async Task<double> ClientAloneAsync(ToolOptions options, string protocol, long batches)
    {
        var workload = new Workload(options.Batch);
        if (options.Warmup > 0)
        {
            await OneAsync(options, protocol, workload, Math.Max(1, options.Warmup / options.Batch)).ConfigureAwait(false);
        }

        return await OneAsync(options, protocol, workload, batches).ConfigureAwait(false);
    }

    private static async Task<double> OneAsync(ToolOptions options, string protocol, Workload workload, long batches)
    {
        using var sink = new LoopbackSink(SinkCounting.BytesOnly);
        sink.SetTarget(0, long.MaxValue);
        ClientRun run = await ClientRun.StartAsync(protocol, sink.Port, options).ConfigureAwait(false);
        await run.SendAsync(workload, batches, options.Api).ConfigureAwait(false);
        sink.ExpectBytes(run.Client.Statistics.BytesWritten);
        long reached = sink.WaitForTarget(TimeSpan.FromMinutes(5)) ?? throw new TimeoutException("the sink did not get every byte");
        await run.Client.DisposeAsync().ConfigureAwait(false);
        return batches * workload.BatchSize / Stopwatch.GetElapsedTime(run.Started, reached).TotalSeconds;
    }
}
