using System.Diagnostics;
using AioGraphite.Bench;
using AioGraphite.TestUtilities;

namespace AioGraphite.Throughput;

/// <summary>
/// Spool-recovery mode: fills a disk spool with <see cref="ToolOptions.SpoolBytes"/> of records while carbon is unreachable
/// (the spool write rate is measured on the way), closes the client (the records stay), then times opening a client on
/// the spool: every record is read and its checksum verified before the client is returned. Once with the files in the
/// page cache, once after dropping the page cache (cold; needs root).
/// </summary>
internal static class SpoolRecoveryBenchmark
{
    public static async Task<int> RunAsync(ToolOptions options)
    {
        string root = options.Spool ?? Path.Combine(Path.GetTempPath(), $"aiographite-spool-recovery-{Guid.NewGuid():N}");
        int port = FreePorts.AllocateTcp(); // nothing listens: carbon is down
        GraphiteClientOptions clientOptions = options.ClientOptions(FullBufferPolicy.Wait) with
        {
            SpoolDirectory = root,
            SpoolMaxBytes = options.SpoolBytes * 2,
            LazyConnect = true,
            ReconnectMaxDelay = TimeSpan.FromSeconds(10),
        };
        try
        {
            var workload = new Workload(options.Batch);
            var batch = new Datapoint[workload.BatchSize];
            GraphiteClient writer = GraphiteClient.Create("127.0.0.1", port, new PlaintextProtocol(), clientOptions);
            long started = Stopwatch.GetTimestamp();
            long batches = 0;
            while (writer.Statistics.Spool.Bytes < options.SpoolBytes)
            {
                for (int i = 0; i < 100; i++)
                {
                    workload.Fill(batch, batches++);
                    await writer.SendMultipleAsync(batch).ConfigureAwait(false);
                }
            }

            await writer.CloseAsync(TimeSpan.Zero).ConfigureAwait(false);
            TimeSpan writing = Stopwatch.GetElapsedTime(started);
            GraphiteSpoolStatistics written = writer.Statistics.Spool;
            long points = batches * options.Batch;
            Console.WriteLine($"closed: {writer.Statistics}, spool {written}");
            Console.WriteLine($"spooled {points:N0} points, {Fmt.Bytes(written.Bytes)} in {written.Files} files, in {writing.TotalSeconds:0.00} s ({Fmt.Rate(points / writing.TotalSeconds)} points/s, {Fmt.Bytes((long)(written.Bytes / writing.TotalSeconds))}/s); {written.Syncs} syncs, longest {written.MaxSyncDuration.TotalMilliseconds:0.0} ms");

            var rows = new List<string>();
            foreach (bool cold in new[] { false, true })
            {
                if (cold && !DropPageCache())
                {
                    Console.WriteLine("cold: skipped (dropping the page cache needs root)");
                    continue;
                }

                long t0 = Stopwatch.GetTimestamp();
                GraphiteClient reader = GraphiteClient.Create("127.0.0.1", port, new PlaintextProtocol(), clientOptions);
                TimeSpan open = Stopwatch.GetElapsedTime(t0);
                GraphiteSpoolStatistics recovered = reader.Statistics.Spool;
                await reader.CloseAsync(TimeSpan.Zero).ConfigureAwait(false);
                string row = $"| {(cold ? "cold (page cache dropped)" : "warm (files in the page cache)")} | {Fmt.Bytes(recovered.Bytes)} | {recovered.Files} | {recovered.PointsRecovered:N0} | {open.TotalMilliseconds:N0} ms | {Fmt.Bytes((long)(recovered.Bytes / open.TotalSeconds))}/s |";
                Console.WriteLine(row);
                rows.Add(row);
            }

            string table = "| start-up | spool on disk | files | points recovered | time to open the client | read + verify rate |\n|---|---:|---:|---:|---:|---:|\n" + string.Join('\n', rows);
            Console.WriteLine();
            Console.WriteLine(table);
            if (options.MarkdownPath is not null)
            {
                await File.WriteAllTextAsync(options.MarkdownPath, table + "\n").ConfigureAwait(false);
            }

            return 0;
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static bool DropPageCache()
    {
        try
        {
            File.WriteAllText("/proc/sys/vm/drop_caches", "3");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
