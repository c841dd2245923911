using System.Diagnostics;
using AioGraphite.TestUtilities;

namespace AioGraphite.Throughput;

/// <summary>
/// Soak mode: does a long-lived client keep its memory? One client (default options, plus <c>--spool</c> and the buffer
/// options given) sends <c>--rate</c> points/s with <c>TrySend</c> into a loopback sink for <c>--soak</c> time. Every
/// <c>--sample-every</c> seconds it takes the live managed heap (after a full collection) and the resident set, prints a
/// progress line, and at the end the least-squares slope of both (bytes/s) over the samples after the warm-up.
/// </summary>
internal static class SoakBenchmark
{
    /// <summary>How long the close may deliver what is left.</summary>
    private static readonly TimeSpan CloseDrain = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(ToolOptions options)
    {
        GraphiteClientOptions clientOptions = options.LatencyClientOptions();
        string protocol = options.Protocols[0];
        TimeSpan duration = options.SoakDuration;
        TimeSpan every = options.SampleEvery;
        TimeSpan warmup = options.SoakWarmupOrDefault;
        Console.WriteLine($"soak mode: {Fmt.Rate(options.Rate)} points/s ({protocol}, TrySend, no timestamp) for {duration} into a loopback sink, "
            + $"spool {clientOptions.SpoolDirectory ?? "off"}, a sample every {every.TotalSeconds:0.#} s, slope after a {warmup.TotalSeconds:0} s warm-up; "
            + $"pid {Environment.ProcessId}");

        using var sink = new LoopbackSink(protocol == "pickle" ? SinkCounting.PickleItems : SinkCounting.Lines);
        GraphiteClient client = await GraphiteClient.ConnectAsync("127.0.0.1", sink.Port, ClientRun.NewProtocol(protocol), clientOptions).ConfigureAwait(false);
        var producer = new SoakProducer(client, options.Rate);
        var samples = new List<SoakSample>();
        long start = Stopwatch.GetTimestamp();
        double cpuStart = Environment.CpuUsage.TotalTime.TotalSeconds;
        producer.Start();
        try
        {
            samples.Add(Take(start, producer, client));
            TimeSpan next = every;
            while (next <= duration)
            {
                TimeSpan wait = next - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait).ConfigureAwait(false);
                }

                samples.Add(Take(start, producer, client));
                next += every;
            }
        }
        finally
        {
            producer.Stop();
            await client.CloseAsync(CloseDrain).ConfigureAwait(false);
        }

        double cpu = Environment.CpuUsage.TotalTime.TotalSeconds - cpuStart;
        GraphiteClientStatistics end = client.Statistics;
        Console.WriteLine();
        Console.WriteLine($"sent {Fmt.Count(producer.Sent)}, refused {Fmt.Count(producer.Refused)}, delivered {Fmt.Count(end.PointsDelivered)}, "
            + $"dropped {Fmt.Count(end.PointsDropped)}, sink counted {Fmt.Count(sink.CountedPoints)}; process CPU {cpu:0} s "
            + $"({cpu / Stopwatch.GetElapsedTime(start).TotalSeconds * 100:0.0} % of a core); load (1 min) {Machine.Load()}");
        Report(samples, warmup);
        return 0;
    }

    private static SoakSample Take(long start, SoakProducer producer, GraphiteClient client)
    {
        SoakSample sample = SoakSample.Take(Stopwatch.GetElapsedTime(start).TotalSeconds, producer, client);
        Console.WriteLine(sample.Describe());
        return sample;
    }

    /// <summary>Start, end and slope of the heap and the resident set, over the samples after the warm-up.</summary>
    private static void Report(List<SoakSample> samples, TimeSpan warmup)
    {
        List<SoakSample> steady = samples.FindAll(s => s.Seconds >= warmup.TotalSeconds);
        if (steady.Count < 2)
        {
            Console.WriteLine("too few samples after the warm-up for a slope: run longer, sample more often or warm up less");
            return;
        }

        SoakSample first = steady[0];
        SoakSample last = steady[^1];
        double heapSlope = LeastSquares.Slope([.. steady.Select(s => (s.Seconds, (double)s.HeapBytes))]);
        double rssSlope = LeastSquares.Slope([.. steady.Select(s => (s.Seconds, (double)s.RssBytes))]);
        Console.WriteLine($"after the warm-up: {steady.Count} samples from {first.Seconds:0} s to {last.Seconds:0} s");
        Console.WriteLine($"heap: {KiB(first.HeapBytes)} -> {KiB(last.HeapBytes)}, slope {Fmt.Num(heapSlope, "0.0")} B/s ({Fmt.Num(heapSlope * 3600 / 1024, "0")} KiB/h)");
        Console.WriteLine($"rss:  {MiB(first.RssBytes)} -> {MiB(last.RssBytes)}, slope {Fmt.Num(rssSlope, "0.0")} B/s ({Fmt.Num(rssSlope * 3600 / 1024, "0")} KiB/h)");
        Console.WriteLine($"| {Fmt.Num((last.Seconds - first.Seconds) / 60, "0")} min | {KiB(first.HeapBytes)} → {KiB(last.HeapBytes)} | {Fmt.Num(heapSlope, "0.0")} | "
            + $"{MiB(first.RssBytes)} → {MiB(last.RssBytes)} | {Fmt.Num(rssSlope, "0.0")} |");
    }

    private static string KiB(long bytes) => $"{Fmt.Num(bytes / 1024.0, "#,0.0")} KiB";

    private static string MiB(long bytes) => $"{Fmt.Num(bytes / 1048576.0, "0.0")} MiB";
}
