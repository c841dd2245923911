using System.Diagnostics;
using System.Globalization;
using AioGraphite.Bench;

namespace AioGraphite.Benchmarks;

/// <summary>
/// <c>--loop-cost</c>: what everything but the producer costs per point and per segment, with no socket and no sink
/// sharing the CPU. One producer sends the standard workload (1000-point <c>SendMultipleAsync</c> calls) to a client
/// whose connections discard the bytes (<see cref="DiscardingConnectionFactory"/>); the process's CPU time minus the
/// producer thread's own CPU clock is the sender loop (taking segments, writing them, reading the evidence, settling the
/// ledger, returning segments to the pool) together with the thread pool's wake-ups, timers and GC.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/AioGraphite.Benchmarks -- --loop-cost [--points 20M] [--runs 3]
/// [--protocol plaintext|pickle|both]</c>. After an untimed warm-up of as many points, each run prints producer and
/// rest CPU per point, the segments the loop wrote, and the rest's CPU per segment and per write; the median run is the
/// last line per protocol (<c>result ...</c>).
/// </remarks>
internal static class SenderLoopCost
{
    private const int BatchPoints = 1000;

    public static int Run(string[] args)
    {
        long points = BenchArguments.Count(BenchArguments.Option(args, "--points") ?? "20M");
        int runs = int.Parse(BenchArguments.Option(args, "--runs") ?? "3", CultureInfo.InvariantCulture);
        string protocolOption = BenchArguments.Option(args, "--protocol") ?? "both";
        string[] protocols = protocolOption == "both" ? ["plaintext", "pickle"] : [protocolOption];
        Console.WriteLine(FormattableString.Invariant($"sender loop cost, no socket and no sink: {points:N0} points per run, {runs} runs, batches of {BatchPoints}; {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
        foreach (string protocol in protocols)
        {
            var samples = new List<Sample>();
            var factory = new DiscardingConnectionFactory();
            var options = new GraphiteClientOptions
            {
                FullBufferPolicy = FullBufferPolicy.Wait,
                FullBufferWaitTimeout = TimeSpan.FromMinutes(1),
                ConnectionFactory = _ => factory,
            };
            IGraphiteProtocol wire = protocol == "pickle" ? new PickleProtocol() : protocol == "plaintext" ? new PlaintextProtocol()
                : throw new ArgumentException($"--protocol must be plaintext, pickle or both, not '{protocol}'", nameof(args));
            GraphiteClient client = GraphiteClient.ConnectAsync("127.0.0.1", 2003, wire, options).GetAwaiter().GetResult();
            var workload = new Workload(BatchPoints);
            var batch = new Datapoint[BatchPoints];
            long next = 0;
            Send(client, workload, batch, ref next, points); // warm-up: the JIT's tiers, the pool, the replay window filled
            for (int run = 1; run <= runs; run++)
            {
                using Process process = Process.GetCurrentProcess();
                long segments0 = factory.Segments, writes0 = factory.Writes, bytes0 = client.Statistics.BytesWritten;
                TimeSpan process0 = process.TotalProcessorTime;
                long producer0 = ThreadCpu.Nanoseconds();
                Send(client, workload, batch, ref next, points);
                long producer1 = ThreadCpu.Nanoseconds();
                process.Refresh();
                TimeSpan process1 = process.TotalProcessorTime;
                long segments = factory.Segments - segments0, writes = factory.Writes - writes0, bytes = client.Statistics.BytesWritten - bytes0;
                double producerNs = (producer1 - producer0) / (double)points;
                double restTotalNs = ((process1 - process0).Ticks * 100.0) - (producer1 - producer0);
                var sample = new Sample(producerNs, restTotalNs / points, restTotalNs / Math.Max(1, segments), restTotalNs / Math.Max(1, writes), bytes / (double)Math.Max(1, segments));
                samples.Add(sample);
                Console.WriteLine(FormattableString.Invariant($"{protocol} run {run}/{runs}: producer {sample.Producer:F1} ns/point, the rest {sample.Rest:F1} ns/point; {segments:N0} segments ({sample.BytesPerSegment / 1024:F1} KiB each) in {writes:N0} writes: the rest {sample.RestPerSegment / 1000:F2} µs per segment, {sample.RestPerWrite / 1000:F2} µs per write"));
            }

            client.DisposeAsync().AsTask().GetAwaiter().GetResult();

            Sample median = samples.OrderBy(s => s.Rest).ElementAt(samples.Count / 2);
            Console.WriteLine(FormattableString.Invariant($"result protocol={protocol} points={points} producer_ns={median.Producer:F2} rest_ns={median.Rest:F2} rest_us_per_segment={median.RestPerSegment / 1000:F3} rest_us_per_write={median.RestPerWrite / 1000:F3} segment_bytes={median.BytesPerSegment:F0}"));
        }

        return 0;
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)]
    private readonly record struct Sample(double Producer, double Rest, double RestPerSegment, double RestPerWrite, double BytesPerSegment);

    private static void Send(GraphiteClient client, Workload workload, Datapoint[] batch, ref long next, long points)
    {
        for (long sent = 0; sent < points; sent += batch.Length)
        {
            workload.Fill(batch, next++);
            ValueTask send = client.SendMultipleAsync(batch);
            if (!send.IsCompletedSuccessfully)
            {
                send.AsTask().GetAwaiter().GetResult();
            }
        }

        client.FlushAsync().GetAwaiter().GetResult();
    }
}
