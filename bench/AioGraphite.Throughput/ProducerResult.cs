using System.Diagnostics;

namespace AioGraphite.Throughput;

/// <summary>What one <see cref="PacedProducer"/> run measured; every array is allocated before the run.</summary>
internal sealed class ProducerResult
{
    private readonly long[] _secondMax;
    private readonly long[] _secondCalls;

    public ProducerResult(double seconds, long rate)
    {
        int slots = (int)Math.Ceiling(seconds) + 1;
        _secondMax = new long[slots];
        _secondCalls = new long[slots];
        Rate = rate;
    }

    public LatencyHistogram Histogram { get; } = new();

    public long Rate { get; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> of the start and of the end of the run.</summary>
    public long Start { get; set; }

    public long End { get; set; }

    /// <summary>TrySend calls that returned false.</summary>
    public long Refused { get; set; }

    /// <summary>SendAsync calls that did not complete synchronously (the caller awaited).</summary>
    public long Awaited { get; set; }

    /// <summary>
    /// Times the kernel took the CPU away from the producer thread during the run (involuntary context switches of the
    /// thread that ran the loop; -1 when unknown): a call that spans one is as slow as the time slice it lost.
    /// </summary>
    public long Preempted { get; set; }

    /// <summary>When the slowest call started, in ticks after <see cref="Start"/>.</summary>
    public long MaxAt { get; private set; }

    public double Seconds => Stopwatch.GetElapsedTime(Start, End).TotalSeconds;

    public double CallsPerSecond => Histogram.Count / Seconds;

    /// <summary>The slowest call and the number of calls of every whole second of the run.</summary>
    public IEnumerable<(int Second, long Calls, long MaxTicks)> PerSecond()
    {
        for (int i = 0; i < _secondMax.Length; i++)
        {
            if (_secondCalls[i] > 0)
            {
                yield return (i, _secondCalls[i], _secondMax[i]);
            }
        }
    }

    /// <summary>nonvoluntary_ctxt_switches of the calling thread (Linux), or -1.</summary>
    public static long InvoluntarySwitches()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/thread-self/status"))
            {
                if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan("nonvoluntary_ctxt_switches:".Length).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return -1;
    }

    /// <summary>Counts one call from <paramref name="t0"/> to <paramref name="t1"/>; returns <paramref name="t1"/> in ticks after <see cref="Start"/>.</summary>
    public long Record(long t0, long t1)
    {
        long ticks = t1 - t0;
        if (ticks > Histogram.Max)
        {
            MaxAt = t0 - Start;
        }

        Histogram.Record(ticks);
        long since = t1 - Start;
        int second = (int)Math.Min(since / Stopwatch.Frequency, _secondMax.Length - 1);
        _secondCalls[second]++;
        if (ticks > _secondMax[second])
        {
            _secondMax[second] = ticks;
        }

        return since;
    }
}
