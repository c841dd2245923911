using System.Diagnostics;
using AioGraphite.Bench;
using AioGraphite.TestUtilities;

namespace AioGraphite.Throughput;

/// <summary>
/// Sink mode: N points through the public API to a loopback sink that counts bytes and points, then, in the same
/// run, the raw-socket ceiling writing the same points pre-formatted to the same kind of sink.
/// </summary>
internal sealed class SinkBenchmark
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private readonly ToolOptions _options;
    private readonly AllocationSampler? _sampler;
    private readonly BenchTls? _tls;

    public SinkBenchmark(ToolOptions options, AllocationSampler? sampler, BenchTls? tls = null)
    {
        _options = options;
        _sampler = sampler;
        _tls = tls;
    }

    public async Task<List<RunMeasurement>> RunAsync(string protocolName)
    {
        var workload = new Workload(_options.Batch);
        long batches = (_options.PointsOrDefault + _options.Batch - 1) / _options.Batch;
        long points = batches * _options.Batch;
        PreformattedBytes? ceilingBytes = null;
        if (_options.Ceiling)
        {
            Console.WriteLine($"{protocolName}: formatting {Fmt.Count(points)} points for the ceiling with GenerateMessage ...");
            ceilingBytes = new(ClientRun.NewProtocol(protocolName), workload, batches);
            Console.WriteLine($"{protocolName}: {Fmt.Bytes(ceilingBytes.TotalBytes)} pre-formatted ({Fmt.Num((double)ceilingBytes.TotalBytes / points, "0.0")} B/point)");
        }

        if (_options.Warmup > 0)
        {
            long warmBatches = Math.Max(1, Math.Min(batches, _options.Warmup / _options.Batch));
            PreformattedBytes? warmBytes = _options.Ceiling ? new(ClientRun.NewProtocol(protocolName), workload, warmBatches) : null;
            RunMeasurement warm = await MeasureAsync(protocolName, workload, warmBatches, warmBytes).ConfigureAwait(false);
            Console.WriteLine($"{protocolName} warm-up: {Describe(warm)}");
        }

        var runs = new List<RunMeasurement>();
        for (int run = 1; run <= _options.RunsOrDefault; run++)
        {
            RunMeasurement m = await MeasureAsync(protocolName, workload, batches, ceilingBytes).ConfigureAwait(false);
            runs.Add(m);
            Console.WriteLine($"{protocolName} run {run}/{_options.RunsOrDefault}: {Describe(m)}");
            Console.WriteLine(ResultLine(m));
            if (_sampler is not null)
            {
                Console.WriteLine($"  sampled allocations, second half of the sends: {(m.SampledAllocations.Count == 0 ? "none" : string.Join(", ", m.SampledAllocations.Take(8).Select(a => $"{a.Type} {Fmt.Bytes(a.Bytes)}")))}");
            }
        }

        if (_options.Original is string original)
        {
            for (int run = 1; run <= Math.Min(3, _options.RunsOrDefault); run++)
            {
                double rate = await OriginalBenchmark.MeasureAsync(original, protocolName, points, _options.Batch).ConfigureAwait(false);
                OriginalPointsPerSecond.Add(rate);
                Console.WriteLine($"{protocolName} original run {run}: {Fmt.Rate(rate)} points/s");
                Console.WriteLine($"result protocol={protocolName} points={points} original_points_per_s={rate:F0}");
            }
        }

        return runs;
    }

    /// <summary>The original's points per second, one per run (with <c>--original</c>).</summary>
    public List<double> OriginalPointsPerSecond { get; } = [];

    private SinkCounting Counting(string protocolName) =>
        !_options.Verify ? SinkCounting.BytesOnly : protocolName == "pickle" ? SinkCounting.PickleItems : SinkCounting.Lines;

    private async Task<RunMeasurement> MeasureAsync(string protocolName, Workload workload, long batches, PreformattedBytes? ceilingBytes)
    {
        long points = batches * workload.BatchSize;
        double load = Machine.LoadAverage() ?? double.NaN;

        // The client, through the public API.
        Collect();
        using var sink = new LoopbackSink(Counting(protocolName), certificate: _tls?.ServerCertificate);
        ClientRun run = await ClientRun.StartAsync(protocolName, sink.Port, _options, _sampler, _tls?.ClientOptions).ConfigureAwait(false);
        GraphiteClient client = run.Client;
        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        int gen0 = GC.CollectionCount(0);
        int gen2 = GC.CollectionCount(2);
        sink.SetTarget(points, long.MaxValue);
        await run.SendAsync(workload, batches, _options.Api).ConfigureAwait(false);
        if (!_options.Verify)
        {
            sink.ExpectBytes(client.Statistics.BytesWritten);
        }

        long? reached = sink.WaitForTarget(Timeout);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated0;
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        int gen0Count = GC.CollectionCount(0) - gen0;
        int gen2Count = GC.CollectionCount(2) - gen2;
        GraphiteClientStatistics stats = client.Statistics;
        await client.DisposeAsync().ConfigureAwait(false);
        Check(sink, reached, points, protocolName, "client");
        if (stats.PointsDropped != 0 || stats.PointsWritten != points || stats.BytesWritten != sink.Bytes)
        {
            throw new InvalidOperationException($"client statistics disagree: written {stats.PointsWritten}, dropped {stats.PointsDropped}, bytes {stats.BytesWritten} vs sink {sink.Bytes}");
        }

        double clientSeconds = Stopwatch.GetElapsedTime(run.Started, reached!.Value).TotalSeconds;
        double flushSeconds = Stopwatch.GetElapsedTime(run.Started, run.Flushed).TotalSeconds;
        long clientBytes = sink.Bytes;

        var measurement = new RunMeasurement
        {
            Protocol = protocolName,
            Points = points,
            ClientSeconds = clientSeconds,
            ClientFlushSeconds = flushSeconds,
            ClientBytes = clientBytes,
            ProcessAllocatedBytes = allocated,
            SecondHalfAllocatedBytes = run.SecondHalfAllocated,
            ProducerAllocatedBytes = run.ProducerAllocated,
            NameCacheHitRate = (double)stats.NameCacheHits / Math.Max(1, stats.NameCacheHits + stats.NameCacheMisses),
            Gen0 = gen0Count,
            Gen2 = gen2Count,
            ClientCpuSeconds = cpu.TotalSeconds,
            ProducerCpuSeconds = run.ProducerCpuSeconds,
            ProducerCpuPoints = run.ProducerCpuPoints,
            ProducerNsLowerQuartile = run.ProducerChunks.LowerQuartileNsPerPoint,
            Waits = run.Waits,
            SampledAllocations = run.SampledAllocations,
            CeilingSeconds = double.NaN,
            CeilingBytes = 0,
            Load = load,
        };
        if (ceilingBytes is null)
        {
            return measurement;
        }

        // The ceiling: a raw socket writing the same points, pre-formatted, in 64 KiB writes.
        Collect();
        using var ceilingSink = new LoopbackSink(Counting(protocolName), certificate: _tls?.ServerCertificate);
        ceilingSink.SetTarget(points, ceilingBytes.TotalBytes);
        long ceilingStart = Stopwatch.GetTimestamp();
        var writer = new Thread(() => ceilingBytes.SendAll(ceilingSink.Port, 64 * 1024, _tls)) { Name = "ceiling-writer" };
        writer.Start();
        long? ceilingReached = ceilingSink.WaitForTarget(Timeout);
        writer.Join();
        Check(ceilingSink, ceilingReached, points, protocolName, "ceiling");

        return measurement with
        {
            CeilingSeconds = Stopwatch.GetElapsedTime(ceilingStart, ceilingReached!.Value).TotalSeconds,
            CeilingBytes = ceilingSink.Bytes,
        };
    }

    private static void Check(LoopbackSink sink, long? reached, long points, string protocol, string who)
    {
        if (sink.Error is not null)
        {
            throw new InvalidOperationException($"{protocol} {who}: the sink rejected the stream", sink.Error);
        }

        if (reached is null)
        {
            throw new TimeoutException($"{protocol} {who}: the sink got {sink.CountedPoints:N0} of {points:N0} points ({sink.Bytes:N0} bytes) in {Timeout}");
        }

        if (sink.CountedPoints != 0 && sink.CountedPoints != points)
        {
            throw new InvalidOperationException($"{protocol} {who}: the sink counted {sink.CountedPoints:N0} points, {points:N0} were sent");
        }
    }

    private static void Collect()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    /// <summary>One line per run for scripts (scripts/ab-throughput.sh): <c>result protocol=... points_per_s=... producer_ns=... process_ns=...</c>.</summary>
    public static string ResultLine(RunMeasurement m) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"result protocol={m.Protocol} points={m.Points} points_per_s={m.ClientPointsPerSecond:F0} producer_ns={m.ProducerNsPerPoint:F3} producer_ns_q1={m.ProducerNsLowerQuartile:F3} process_ns={m.ProcessNsPerPoint:F3} producer_alloc_b={(double)m.ProducerAllocatedBytes / m.Points:F4} name_cache_hit_rate={m.NameCacheHitRate:F6}");

    public static string Describe(RunMeasurement m) =>
        $"client {Fmt.Rate(m.ClientPointsPerSecond)} points/s ({Fmt.Bytes(m.ClientBytesPerSecond)}/s, flush after {Fmt.Num(m.ClientFlushSeconds, "0.000")} s, "
        + $"end {Fmt.Num(m.ClientSeconds, "0.000")} s, CPU {Fmt.Num(m.ClientCpuSeconds / m.ClientSeconds, "0.00")} cores, CPU/point producer {Fmt.Num(m.ProducerNsPerPoint, "0.0")} ns process {Fmt.Num(m.ProcessNsPerPoint, "0.0")} ns, waits {m.Waits}, "
        + $"alloc {Fmt.Num((double)m.ProcessAllocatedBytes / m.Points, "0.000")} B/pt process ({Fmt.Num(m.SecondHalfBytesPerPoint, "0.000")} in the second half), {Fmt.Num((double)m.ProducerAllocatedBytes / m.Points, "0.000")} B/pt producer, gen0 {m.Gen0} gen2 {m.Gen2}, name cache hits {m.NameCacheHitRate:P3}) | "
        + $"ceiling {Fmt.Rate(m.CeilingPointsPerSecond)} points/s ({Fmt.Bytes(m.CeilingBytesPerSecond)}/s) | ratio {Fmt.Percent(m.Ratio)} | load {Fmt.Num(m.Load)}";
}
