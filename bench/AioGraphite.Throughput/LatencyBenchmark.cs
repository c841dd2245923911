using System.Diagnostics;
using System.Text;

namespace AioGraphite.Throughput;

/// <summary>
/// Latency mode: is the caller ever held hostage? One producer calls <c>TrySend</c> or <c>SendAsync</c> (awaited) once
/// per point at a steady rate with the default <see cref="GraphiteClientOptions"/>, every call timed, while the server
/// is healthy, frozen (stops reading after the warm-up) or partitioned (every packet dropped after the warm-up).
/// One row per protocol, scenario and API, each with a fresh server and client.
/// </summary>
internal static class LatencyBenchmark
{
    private static readonly TimeSpan CloseDrain = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(ToolOptions options)
    {
        GraphiteClientOptions clientOptions = options.LatencyClientOptions();
        List<string> scenarios = [.. options.Scenarios];
        string? skipped = null;
        if (scenarios.Contains("partitioned") && Partition.WhyNotIsolated() is string why)
        {
            skipped = $"partitioned: skipped: {why}";
            Console.WriteLine(skipped);
            scenarios.Remove("partitioned");
            if (scenarios.Count == 0)
            {
                return 2;
            }
        }

        string setup = $"{Fmt.Rate(options.Rate)} points/s for {Fmt.Num(options.Seconds, "0.#")} s per row after a {Fmt.Num(options.WarmupSeconds, "0.#")} s healthy warm-up, "
            + $"one call per point (workload names, no timestamp), server: {(options.Target == "carbon" ? "carbon-cache" : "loopback sink")}; "
            + $"client options: {(clientOptions == GraphiteClientOptions.Default ? "all default" : "default except the command line's")} "
            + $"(FullBufferPolicy {clientOptions.FullBufferPolicy}, BufferCapacityBytes {Fmt.MiB(clientOptions.BufferCapacityBytes)}, "
            + $"BatchSizeBytes {clientOptions.BatchSizeBytes / 1024} KiB, BatchInterval {clientOptions.BatchInterval.TotalMilliseconds} ms, Replay {(clientOptions.ReplayEnabled ? "on" : "off")})";
        Console.WriteLine($"latency mode: {setup}");

        // The floor: the same paced loop timing nothing, with no client and no server: what this machine's clock and
        // scheduler add to every figure right now.
        var rows = new List<LatencyRow> { await RunBaselineAsync(options).ConfigureAwait(false) };
        Console.WriteLine(rows[0].Describe());
        foreach (string protocol in options.Protocols)
        {
            foreach (string scenario in scenarios)
            {
                foreach (string api in options.LatencyApis)
                {
                    LatencyRow row = await RunRowAsync(options, clientOptions, protocol, scenario, api).ConfigureAwait(false);
                    rows.Add(row);
                    Console.WriteLine(row.Describe());
                }
            }
        }

        var table = new StringBuilder();
        table.AppendLine($"machine: {Machine.Describe()}");
        table.AppendLine();
        table.AppendLine($"Latency of one call, {setup}.");
        table.AppendLine();
        table.AppendLine("| scenario | protocol | API | calls | calls/s | p50 µs | p99 µs | p99.9 µs | max µs (at s) | TrySend false / SendAsync awaited | dropped (buffer full) | first drop after | buffered at end | written during the row | GCs 0/1/2 (pause ms) | producer preempted | load (1 min) |");
        table.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (LatencyRow row in rows)
        {
            table.AppendLine(row.TableRow());
        }

        if (skipped is not null)
        {
            table.AppendLine();
            table.AppendLine(skipped);
        }

        Console.WriteLine();
        Console.WriteLine(table);
        if (options.MarkdownPath is string path)
        {
            await File.WriteAllTextAsync(path, table.ToString()).ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task<LatencyRow> RunBaselineAsync(ToolOptions options)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var producer = new PacedProducer(null);
        if (options.WarmupSeconds > 0)
        {
            _ = await producer.RunAsync("none", options.Rate, options.WarmupSeconds).ConfigureAwait(false);
        }

        var gcs = new GcCounts();
        double load = Machine.LoadAverage() ?? double.NaN;
        ProducerResult result = await producer.RunAsync("none", options.Rate, options.Seconds).ConfigureAwait(false);
        return new LatencyRow
        {
            Scenario = "baseline",
            Protocol = "—",
            Api = "none",
            Server = "no server, no client",
            Result = result,
            BufferedAtSecond = [],
            Gcs = gcs.Since(),
            Load = load,
        };
    }

    private static async Task<LatencyRow> RunRowAsync(ToolOptions options, GraphiteClientOptions clientOptions, string protocol, string scenario, string api)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        await using LatencyTarget target = await LatencyTarget.StartAsync(options.Target, protocol).ConfigureAwait(false);
        GraphiteClient client = await GraphiteClient.ConnectAsync("127.0.0.1", target.Port, ClientRun.NewProtocol(protocol), clientOptions).ConfigureAwait(false);
        bool partitioned = false;
        try
        {
            var producer = new PacedProducer(client);
            if (options.WarmupSeconds > 0)
            {
                _ = await producer.RunAsync(api, options.Rate, options.WarmupSeconds).ConfigureAwait(false);
            }

            switch (scenario)
            {
                case "frozen":
                    target.Freeze();
                    break;
                case "partitioned":
                    Partition.Open();
                    partitioned = true;
                    break;
            }

            double load = Machine.LoadAverage() ?? double.NaN;
            GraphiteClientStatistics before = client.Statistics;
            var gcs = new GcCounts();
            long allocated0 = GC.GetTotalAllocatedBytes(precise: true);
            ProducerResult result;
            double? firstDrop;
            IReadOnlyList<long> buffered;
            using (var monitor = new BufferMonitor(client, Stopwatch.GetTimestamp(), options.Seconds))
            {
                result = await producer.RunAsync(api, options.Rate, options.Seconds).ConfigureAwait(false);
                firstDrop = monitor.FirstDropAfter;
                buffered = monitor.BufferedAtSecond;
            }

            long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated0;
            GraphiteClientStatistics after = client.Statistics;
            return new LatencyRow
            {
                Scenario = scenario,
                Protocol = protocol,
                Api = api,
                Server = target.Description,
                Result = result,
                Dropped = after.PointsDroppedBufferFull - before.PointsDroppedBufferFull,
                FirstDropAfter = firstDrop,
                BufferedAtEnd = after.BufferedBytes,
                BufferedAtSecond = buffered,
                Written = after.BytesWritten - before.BytesWritten,
                Reconnects = after.Reconnects - before.Reconnects,
                Allocated = allocated,
                Gcs = gcs.Since(),
                Load = load,
            };
        }
        finally
        {
            if (partitioned)
            {
                Partition.Close();
            }

            await client.CloseAsync(CloseDrain).ConfigureAwait(false);
        }
    }

    /// <summary>Collections and pause time since construction.</summary>
    private sealed class GcCounts
    {
        private readonly int _gen0 = GC.CollectionCount(0);
        private readonly int _gen1 = GC.CollectionCount(1);
        private readonly int _gen2 = GC.CollectionCount(2);
        private readonly TimeSpan _pause = GC.GetTotalPauseDuration();

        public (int Gen0, int Gen1, int Gen2, TimeSpan Pause) Since() =>
            (GC.CollectionCount(0) - _gen0, GC.CollectionCount(1) - _gen1, GC.CollectionCount(2) - _gen2, GC.GetTotalPauseDuration() - _pause);
    }
}
