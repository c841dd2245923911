using AioGraphite.Bench;
using System.Reflection;
using System.Runtime.Loader;

namespace AioGraphite.Throughput;

/// <summary>
/// Interleaved A/B of two builds of the library in one process (<c>--interleave DIR_A DIR_B</c>): each build's
/// <c>AioGraphite.dll</c> is loaded into a load context of its own with this tool's harness
/// (<see cref="InterleavedSide"/>), and one producer thread sends short chunks to A and to B in turn (A-B, then B-A),
/// so that whatever the machine does meanwhile (a noisy neighbour, a slower spell of the host) falls on both alike.
/// Separate processes cannot do that: on this VM the producer's cost per point moves by a third between spells lasting
/// seconds, within one process and between processes. Reports, per protocol, the median of the per-round ratios B/A of
/// the producer's CPU per point with a 95 % bootstrap interval.
/// </summary>
internal static class InterleavedAb
{
    /// <summary>Rounds when not given (one chunk of each side per round).</summary>
    public const int DefaultRounds = 200;

    /// <summary>Points per chunk when not given (tens of milliseconds of the producer's CPU).</summary>
    public const long DefaultChunkPoints = 256_000;

    /// <summary>Points each side sends before the measured rounds when no warm-up is given (the JIT's tiers settle).</summary>
    public const long DefaultWarmupPoints = 6_000_000;

    /// <summary>
    /// One chunk of one side: the producer's CPU per point (the side's own figure), and, around the whole call (its flush
    /// included, so the side's sender loop and sink have done their part), the process's CPU and the wall time per point.
    /// The other side is idle meanwhile (its buffer was flushed), so the process's CPU is this side's producer, loop and
    /// sink.
    /// </summary>
    private static ChunkCost Measure(Side side, object state, int batches, double points)
    {
        long process0 = ThreadCpu.ProcessNanoseconds();
        long wall0 = System.Diagnostics.Stopwatch.GetTimestamp();
        double producer = side.Chunk(state, batches);
        double wall = System.Diagnostics.Stopwatch.GetElapsedTime(wall0).Ticks * 100.0 / points;
        double process = (ThreadCpu.ProcessNanoseconds() - process0) / points;
        return new ChunkCost(producer, process, wall);
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)]
    private readonly record struct ChunkCost(double Producer, double Process, double Wall);

    public static int Run(ToolOptions options)
    {
        (string dirA, string dirB) = options.Interleave!.Value;
        int rounds = options.Runs ?? DefaultRounds;
        int chunkBatches = (int)Math.Max(1, (options.Points ?? DefaultChunkPoints) / options.Batch);
        long warmupBatches = (options.WarmupGiven ?? DefaultWarmupPoints) / options.Batch;
        Console.WriteLine($"interleaved A/B in one process: A = {dirA}, B = {dirB}; {rounds} rounds of one {chunkBatches * options.Batch:N0}-point chunk each (A-B, then B-A), after {warmupBatches * options.Batch:N0} points each");
        Side a = Side.Load("a", dirA);
        Side b = Side.Load("b", dirB);
        foreach (string protocol in options.Protocols)
        {
            var ratios = new List<double>();
            var nsA = new List<double>();
            var nsB = new List<double>();
            var producer = new Thread(() =>
            {
                object sa = a.Start(protocol, options.Batch);
                object sb = b.Start(protocol, options.Batch);
                for (long done = 0; done < warmupBatches; done += chunkBatches)
                {
                    a.Chunk(sa, chunkBatches);
                    b.Chunk(sb, chunkBatches);
                }

                double points = (double)chunkBatches * options.Batch;
                for (int r = 0; r < rounds; r++)
                {
                    ChunkCost x, y;
                    if (r % 2 == 0)
                    {
                        x = Measure(a, sa, chunkBatches, points);
                        y = Measure(b, sb, chunkBatches, points);
                    }
                    else
                    {
                        y = Measure(b, sb, chunkBatches, points);
                        x = Measure(a, sa, chunkBatches, points);
                    }

                    nsA.Add(x.Producer);
                    nsB.Add(y.Producer);
                    ratios.Add(y.Producer / x.Producer);
                    Console.WriteLine(FormattableString.Invariant($"round={r + 1} protocol={protocol} a_ns={x.Producer:F3} b_ns={y.Producer:F3} a_proc={x.Process:F3} b_proc={y.Process:F3} a_wall={x.Wall:F3} b_wall={y.Wall:F3}"));
                }

                a.Stop(sa);
                b.Stop(sb);
            }) { Name = "producer" };
            producer.Start();
            producer.Join();

            (double lo, double hi) = BootstrapMedian(ratios);
            Console.WriteLine($"{protocol,-9} producer_ns A median {Fmt.Median(nsA):F1} B median {Fmt.Median(nsB):F1} ns/point; B/A {Fmt.Median(ratios):F3} [{lo:F3}, {hi:F3}] (interval width {100 * (hi - lo):F1} %)");
            Console.WriteLine($"result protocol={protocol} interleaved_rounds={rounds} a_ns={Fmt.Median(nsA):F3} b_ns={Fmt.Median(nsB):F3} ratio={Fmt.Median(ratios):F4} ratio_lo={lo:F4} ratio_hi={hi:F4}");
        }

        return 0;
    }

    /// <summary>95 % bootstrap interval of the median (10,000 resamples, fixed seed).</summary>
    private static (double Low, double High) BootstrapMedian(List<double> values)
    {
        const int Resamples = 10_000;
        var random = new Random(1);
        var medians = new double[Resamples];
        var sample = new List<double>(values.Count);
        for (int i = 0; i < Resamples; i++)
        {
            sample.Clear();
            for (int k = 0; k < values.Count; k++)
            {
                sample.Add(values[random.Next(values.Count)]);
            }

            medians[i] = Fmt.Median(sample);
        }

        Array.Sort(medians);
        return (medians[(int)(0.025 * Resamples)], medians[(int)(0.975 * Resamples) - 1]);
    }

    /// <summary>One build: its library in a load context of its own, with this tool's harness and dependencies.</summary>
    private sealed class Side
    {
        public required Func<string, int, object> Start { get; init; }

        public required Func<object, int, double> Chunk { get; init; }

        public required Action<object> Stop { get; init; }

        public static Side Load(string name, string libraryDir)
        {
            string library = Path.Combine(libraryDir, "AioGraphite.dll");
            if (!File.Exists(library))
            {
                throw new UsageException($"--interleave: no AioGraphite.dll in {libraryDir} (give the output directory of a build of src/AioGraphite or of this tool)");
            }

            var context = new SideLoadContext(name, library, AppContext.BaseDirectory);
            Assembly harness = context.LoadFromAssemblyPath(typeof(InterleavedSide).Assembly.Location);
            Type side = harness.GetType(typeof(InterleavedSide).FullName!, throwOnError: true)!;
            return new Side
            {
                Start = side.GetMethod(nameof(InterleavedSide.Start))!.CreateDelegate<Func<string, int, object>>(),
                Chunk = side.GetMethod(nameof(InterleavedSide.Chunk))!.CreateDelegate<Func<object, int, double>>(),
                Stop = side.GetMethod(nameof(InterleavedSide.Stop))!.CreateDelegate<Action<object>>(),
            };
        }
    }

    /// <summary>Resolves AioGraphite from the side's build, everything else from this tool's directory (or the framework).</summary>
    private sealed class SideLoadContext(string name, string library, string toolDirectory) : AssemblyLoadContext(name)
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name == "AioGraphite")
            {
                return LoadFromAssemblyPath(library);
            }

            string path = Path.Combine(toolDirectory, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
