using System.Diagnostics;
using System.Text;
using AioGraphite.Bench;
using AioGraphite.TestUtilities;

namespace AioGraphite.Throughput;

/// <summary>
/// Stalled mode: N points with <see cref="FullBufferPolicy.DropOldest"/> to a sink that accepts and never reads.
/// The client must keep sending at full speed (dropping the oldest batches) while its memory stays within the
/// configured buffer plus the replay window plus a small constant.
/// </summary>
internal static class StalledBenchmark
{
    public static async Task<int> RunAsync(ToolOptions options)
    {
        var table = new StringBuilder();
        table.AppendLine("| protocol | points sent | accepted/s | dropped (buffer full) | buffered at end | BufferCapacityBytes | ReplayWindowBytes | live heap growth | peak GC heap growth | peak working set growth | within buffer + replay + 8 MiB |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        bool allBounded = true;
        foreach (string protocolName in options.Protocols)
        {
            GraphiteClientOptions clientOptions = options.ClientOptions(FullBufferPolicy.DropOldest) with { DrainTimeout = TimeSpan.FromSeconds(1) };
            var workload = new Workload(options.Batch);
            var batch = new Datapoint[workload.BatchSize];
            long batches = (options.PointsOrDefault + options.Batch - 1) / options.Batch;
            long points = batches * options.Batch;

            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            long heap0 = GC.GetTotalMemory(forceFullCollection: true);
            long workingSet0 = Environment.WorkingSet;
            bool kernelPeak = MemorySampler.ResetKernelPeak();
            using var sink = new LoopbackSink(SinkCounting.BytesOnly, read: false);
            var client = await GraphiteClient.ConnectAsync("127.0.0.1", sink.Port, ClientRun.NewProtocol(protocolName), clientOptions).ConfigureAwait(false);
            var sampler = new MemorySampler();
            long start = Stopwatch.GetTimestamp();
            for (long b = 0; b < batches; b++)
            {
                workload.Fill(batch, b);
                await client.SendMultipleAsync(batch).ConfigureAwait(false);
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            await Task.Delay(500).ConfigureAwait(false);
            GraphiteClientStatistics stats = client.Statistics;
            long liveHeap = GC.GetTotalMemory(forceFullCollection: true) - heap0;
            sampler.Dispose();
            long? hwm = MemorySampler.KernelPeakResident();
            await client.DisposeAsync().ConfigureAwait(false);

            long bound = clientOptions.BufferCapacityBytes + (clientOptions.ReplayEnabled ? clientOptions.ReplayWindowBytes : 0) + (8 << 20);
            long peakHeapGrowth = sampler.PeakHeapBytes - heap0;
            bool bounded = liveHeap <= bound && peakHeapGrowth <= bound;
            allBounded &= bounded;
            long peakWorkingSet = Math.Max(sampler.PeakWorkingSet, kernelPeak && hwm is long h ? h : 0) - workingSet0;
            Console.WriteLine($"{protocolName} stalled: {Fmt.Count(points)} points in {Fmt.Num(seconds, "0.000")} s ({Fmt.Rate(points / seconds)}/s); accepted {Fmt.Count(stats.PointsAccepted)}, written before the stall {Fmt.Count(stats.PointsWritten)} ({Fmt.Bytes(stats.BytesWritten)}), dropped {Fmt.Count(stats.PointsDroppedBufferFull)}, buffered {Fmt.Count(stats.BufferedPoints)} points / {Fmt.MiB(stats.BufferedBytes)}");
            Console.WriteLine($"{protocolName} stalled: live heap growth {Fmt.MiB(liveHeap)}, peak GC heap growth {Fmt.MiB(peakHeapGrowth)}, peak committed {Fmt.MiB(sampler.PeakCommittedBytes)}, peak working set growth {Fmt.MiB(peakWorkingSet)} (kernel peak {(kernelPeak ? "reset" : "not reset")}); configured buffer {Fmt.MiB(clientOptions.BufferCapacityBytes)} + replay {Fmt.MiB(clientOptions.ReplayEnabled ? clientOptions.ReplayWindowBytes : 0)}: {(bounded ? "bounded" : "NOT bounded")}");
            table.AppendLine($"| {protocolName} | {Fmt.Count(points)} | {Fmt.Rate(points / seconds)} | {Fmt.Count(stats.PointsDroppedBufferFull)} | {Fmt.MiB(stats.BufferedBytes)} | {Fmt.MiB(clientOptions.BufferCapacityBytes)} | {Fmt.MiB(clientOptions.ReplayEnabled ? clientOptions.ReplayWindowBytes : 0)} | {Fmt.MiB(liveHeap)} | {Fmt.MiB(peakHeapGrowth)} | {Fmt.MiB(peakWorkingSet)} | {(bounded ? "yes" : "NO")} |");
        }

        Console.WriteLine();
        Console.WriteLine(table);
        if (options.MarkdownPath is string path)
        {
            await File.WriteAllTextAsync(path, table.ToString()).ConfigureAwait(false);
        }

        return allBounded ? 0 : 1;
    }
}
