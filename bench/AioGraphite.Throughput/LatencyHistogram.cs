using System.Diagnostics;
using System.Numerics;

namespace AioGraphite.Throughput;

/// <summary>
/// A log-linear histogram of durations in <see cref="Stopwatch"/> ticks, in the manner of HdrHistogram: values below
/// 256 ticks are counted exactly, above that in 128 linear sub-buckets per power of two, so every recorded value is
/// known to within 1/128 (0.8 %). Allocated once; <see cref="Record"/> allocates nothing and takes no lock (one
/// writer). Percentiles report the upper bound of their bucket (never flattering); the maximum is exact.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;

    private readonly long[] _counts = new long[(64 - SubBucketBits) * SubBuckets];

    /// <summary>Values recorded.</summary>
    public long Count { get; private set; }

    /// <summary>The largest value recorded, in ticks (exact).</summary>
    public long Max { get; private set; }

    /// <summary>Counts one duration of <paramref name="ticks"/> (negative values count as 0).</summary>
    public void Record(long ticks)
    {
        ulong v = (ulong)Math.Max(ticks, 0);
        _counts[Index(v)]++;
        Count++;
        if ((long)v > Max)
        {
            Max = (long)v;
        }
    }

    /// <summary>The smallest bucket bound, in ticks, at or below which <paramref name="fraction"/> of the values lie (0 when empty).</summary>
    public long Percentile(double fraction)
    {
        if (Count == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(fraction * Count));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperBound(i), Max);
            }
        }

        return Max;
    }

    /// <summary>Ticks as microseconds.</summary>
    public static double Microseconds(long ticks) => ticks * 1e6 / Stopwatch.Frequency;

    // Values below 2 * SubBuckets have magnitude 0 and index = value; above, magnitude m keeps the top 8 bits
    // (value >> m, in [128, 256)) and the index is m * 128 + (value >> m): consecutive, never overlapping.
    private static int Index(ulong value)
    {
        int magnitude = Math.Max(0, 63 - BitOperations.LeadingZeroCount(value) - SubBucketBits);
        return (magnitude * SubBuckets) + (int)(value >> magnitude);
    }

    private static long UpperBound(int index)
    {
        int magnitude = Math.Max(0, (index / SubBuckets) - 1);
        long sub = index - (magnitude * SubBuckets);
        return ((sub + 1) << magnitude) - 1;
    }
}
