using System.Text;

namespace AioGraphite.Throughput;

/// <summary>Runs <see cref="SinkBenchmark"/> for each protocol and prints the medians as a markdown table.</summary>
internal static class SinkMode
{
    public static async Task<int> RunAsync(ToolOptions options)
    {
        Console.WriteLine($"sink mode: {Fmt.Count(options.PointsOrDefault)} points per run, {options.RunsOrDefault} runs, api {options.Api}, batch {options.Batch}, verify {options.Verify}, {(options.Tls ? "TLS" : "plaintext TCP")}");
        var all = new List<List<RunMeasurement>>();
        var originals = new List<List<double>>();
        using AllocationSampler? sampler = options.AllocationTypes ? new AllocationSampler() : null;
        using BenchTls? tls = options.Tls ? new BenchTls() : null;
        foreach (string protocol in options.Protocols)
        {
            var benchmark = new SinkBenchmark(options, sampler, tls);
            all.Add(await benchmark.RunAsync(protocol).ConfigureAwait(false));
            originals.Add(benchmark.OriginalPointsPerSecond);
            GC.Collect();
        }

        string table = Table(all, options);
        if (options.Original is not null)
        {
            table += Environment.NewLine + OriginalTable(all, originals);
        }

        if (tls is not null)
        {
            table += Environment.NewLine + await HandshakeTime.MeasureAsync(tls).ConfigureAwait(false);
        }

        Console.WriteLine();
        Console.WriteLine(table);
        if (options.MarkdownPath is string path)
        {
            await File.WriteAllTextAsync(path, table).ConfigureAwait(false);
        }

        return 0;
    }

    private static string OriginalTable(List<List<RunMeasurement>> all, List<List<double>> originals)
    {
        var sb = new StringBuilder();
        sb.AppendLine("Against the Python original in the same run (same workload, same kind of sink; medians):");
        sb.AppendLine();
        sb.AppendLine("| protocol | client points/s | original points/s | client / original |");
        sb.AppendLine("|---|---:|---:|---:|");
        for (int i = 0; i < all.Count; i++)
        {
            if (all[i].Count == 0 || originals[i].Count == 0)
            {
                continue;
            }

            double client = Fmt.Median(all[i].Select(r => r.ClientPointsPerSecond));
            double original = Fmt.Median(originals[i]);
            sb.AppendLine($"| {all[i][0].Protocol} | {Fmt.Rate(client)} | {Fmt.Rate(original)} | {Fmt.Num(client / original, "0.0")}× |");
        }

        return sb.ToString();
    }

    private static string Table(List<List<RunMeasurement>> all, ToolOptions options)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Median of {options.RunsOrDefault} runs of {Fmt.Count(options.PointsOrDefault)} points, api {options.Api}, one producer{(options.Tls ? ", TLS to the sink (client and ceiling)" : string.Empty)}; load average (1 min) {string.Join(" / ", all.SelectMany(r => r).Select(r => Fmt.Num(r.Load, "0.0")))}");
        sb.AppendLine();
        sb.AppendLine("| protocol | client points/s | client bytes/s | ceiling points/s | ceiling bytes/s | client / ceiling | alloc B/point (process) | alloc B/point (process, 2nd half) | alloc B/point (producer) | gen0 GCs/run | CPU cores busy (client run) |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (List<RunMeasurement> runs in all)
        {
            if (runs.Count == 0)
            {
                continue;
            }

            sb.AppendLine($"| {runs[0].Protocol} "
                + $"| {Fmt.Rate(Fmt.Median(runs.Select(r => r.ClientPointsPerSecond)))} "
                + $"| {Fmt.Bytes(Fmt.Median(runs.Select(r => r.ClientBytesPerSecond)))}/s "
                + $"| {Fmt.Rate(Fmt.Median(runs.Select(r => r.CeilingPointsPerSecond)))} "
                + $"| {Fmt.Bytes(Fmt.Median(runs.Select(r => r.CeilingBytesPerSecond)))}/s "
                + $"| {Fmt.Percent(Fmt.Median(runs.Select(r => r.Ratio)))} "
                + $"| {Fmt.Num(Fmt.Median(runs.Select(r => (double)r.ProcessAllocatedBytes / r.Points)), "0.000")} "
                + $"| {Fmt.Num(Fmt.Median(runs.Select(r => r.SecondHalfBytesPerPoint)), "0.000")} "
                + $"| {Fmt.Num(Fmt.Median(runs.Select(r => (double)r.ProducerAllocatedBytes / r.Points)), "0.000")} "
                + $"| {Fmt.Num(Fmt.Median(runs.Select(r => (double)r.Gen0)), "0")} "
                + $"| {Fmt.Num(Fmt.Median(runs.Select(r => r.ClientCpuSeconds / r.ClientSeconds)))} |");
        }

        return sb.ToString();
    }
}
