using System.Diagnostics;
using System.Globalization;
using System.Text;
using AioGraphite.Bench;
using AioGraphite.Protocols;
using AioGraphite.TestUtilities;

namespace AioGraphite.Benchmarks;

/// <summary>
/// <c>--check-doubles N [--threads T] [--seed S] [--plain-range | --decimals]</c>: compares the text of <see cref="PlaintextFormat.FormatValue"/>
/// with .NET's <c>double.TryFormat(..., InvariantCulture)</c> (UTF-8, the formatter behind <c>ToString</c>) byte for
/// byte, first on every value of <see cref="DoubleEdgeCases"/>, then on N uniformly random 64-bit patterns (NaN and
/// the infinities included) split over T threads (default: all cores), each a SplitMix64 stream of the seed.
/// Exits 1 on any difference other than .NET's known misses (<see cref="DoubleEdgeCases.DotNetRoundTripMisses"/>).
/// </summary>
internal static class DoubleFormatCheck
{
    public static int Run(string[] args)
    {
        long count = long.Parse(BenchArguments.Option(args, "--check-doubles") ?? "1000000000", CultureInfo.InvariantCulture);
        int threads = int.Parse(BenchArguments.Option(args, "--threads") ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        ulong seed = ulong.Parse(BenchArguments.Option(args, "--seed") ?? "20261207", CultureInfo.InvariantCulture);

        // --plain-range: binary exponents 2^-15..2^60 only (both of .NET's notation switches, the fast paths, the
        // integers): uniform bit patterns fall there only 1 time in 27.
        bool plainRange = args.Contains("--plain-range");

        // --decimals: ±n / 10^k with n of 1 to 17 digits and k of 0 to 15 (the values metrics carry, and the fast paths'
        // own ground: whole numbers, and decimals of up to 15 significant digits, and just past both).
        bool decimals = args.Contains("--decimals");

        var clock = Stopwatch.StartNew();
        long edgeFailures = 0;
        double[] edges = DoubleEdgeCases.All();
        foreach (double value in edges)
        {
            edgeFailures += CheckOne(value) ? 0 : 1;
        }

        Console.WriteLine($"edge cases: {edges.Length:N0} values, {edgeFailures} differences ({clock.Elapsed.TotalSeconds:F1} s)");

        long checkedCount = 0;
        long failures = 0;
        var workers = new Thread[threads];
        for (int w = 0; w < threads; w++)
        {
            long share = (count / threads) + (w < count % threads ? 1 : 0);
            // Each thread's stream starts at a mixed value: states a multiple of the SplitMix64 step apart would
            // give the same sequence shifted.
            ulong start = seed + (ulong)w;
            ulong state = SplitMix64(ref start);
            workers[w] = new Thread(() =>
            {
                Span<byte> ours = stackalloc byte[64];
                Span<byte> theirs = stackalloc byte[64];
                ulong s = state;
                long local = 0;
                for (long i = 0; i < share; i++)
                {
                    ulong bits = SplitMix64(ref s);
                    if (plainRange)
                    {
                        bits = (bits & 0x800F_FFFF_FFFF_FFFFUL) | ((1008 + ((bits >> 52) & 0x7FF) % 76) << 52);
                    }

                    double value = decimals ? Decimal(bits) : BitConverter.UInt64BitsToDouble(bits);
                    int n = PlaintextFormat.FormatValue(value, ours);
                    value.TryFormat(theirs, out int m, default, CultureInfo.InvariantCulture);
                    if (!ours[..n].SequenceEqual(theirs[..m]) && !CheckOne(value))
                    {
                        Interlocked.Increment(ref failures);
                    }

                    if (++local == 1 << 20)
                    {
                        Interlocked.Add(ref checkedCount, local);
                        local = 0;
                    }
                }

                Interlocked.Add(ref checkedCount, local);
            })
            { IsBackground = true, Name = $"check-doubles-{w}" };
            workers[w].Start();
        }

        var random = Stopwatch.StartNew();
        while (!workers.All(t => t.Join(TimeSpan.FromSeconds(30))))
        {
            long done = Interlocked.Read(ref checkedCount);
            Console.WriteLine($"  {done:N0} of {count:N0} random bit patterns checked, {Interlocked.Read(ref failures)} differences, {random.Elapsed.TotalSeconds:F0} s, {done / random.Elapsed.TotalSeconds / 1e6:F2} M/s");
        }

        Console.WriteLine(
            $"random {(decimals ? "decimals (n / 10^k, n of 1-17 digits, k 0-15)" : "bit patterns")}{(plainRange ? " (exponents 2^-15..2^60)" : "")}: {checkedCount:N0} checked on {threads} threads (seed {seed}), {failures} differences, "
            + $"{random.Elapsed.TotalSeconds:F0} s ({checkedCount / random.Elapsed.TotalSeconds / 1e6:F2} M values/s)");
        Console.WriteLine($"result check-doubles edge={edges.Length} random={checkedCount} differences={edgeFailures + failures} seconds={clock.Elapsed.TotalSeconds:F0}");
        return edgeFailures + failures == 0 ? 0 : 1;
    }

    // Whether the client's text is right; prints the value when it is not.
    private static bool CheckOne(double value)
    {
        Span<byte> ours = stackalloc byte[64];
        int n = PlaintextFormat.FormatValue(value, ours);
        string actual = Encoding.ASCII.GetString(ours[..n]);
        string expected = value.ToString(CultureInfo.InvariantCulture);
        if (DoubleEdgeCases.IsExpectedText(value, expected, actual))
        {
            return true;
        }

        Console.WriteLine($"DIFFERENT 0x{BitConverter.DoubleToInt64Bits(value):X16}: .NET {expected}, client {actual}");
        return false;
    }

    private static readonly double[] Scales = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    private static double Decimal(ulong bits)
    {
        int digits = 1 + (int)((bits >> 40) % 17);
        ulong n = (bits & 0xFF_FFFF_FFFF_FFFFUL) % (ulong)Math.Pow(10, digits);
        double value = n / Scales[(int)((bits >> 56) % 16)];
        return (bits >> 63) != 0 ? -value : value;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }
}
