using System.Diagnostics;
using AioGraphite.Bench;
using AioGraphite.TestUtilities;

namespace AioGraphite.Throughput;

/// <summary>
/// Polls a carbon-cache's whisper files until every point of a workload is stored with exactly the value sent
/// (so the plaintext doubles survived formatting and carbon's <c>float()</c> bit for bit).
/// </summary>
internal sealed class WhisperVerifier
{
    private readonly CarbonCacheServer _cache;
    private readonly Workload _workload;
    private readonly long _batches;

    public WhisperVerifier(CarbonCacheServer cache, Workload workload, long batches)
    {
        _cache = cache;
        _workload = workload;
        _batches = batches;
    }

    /// <summary>Points found with the wrong value.</summary>
    public long WrongValues { get; private set; }

    /// <summary>Points stored so far (right or wrong value).</summary>
    public long Stored { get; private set; }

    /// <summary>Polls until every point is stored; returns the <see cref="Stopwatch.GetTimestamp"/> of the poll that saw the last one, or null on timeout.</summary>
    public async Task<long?> WaitAsync(TimeSpan timeout)
    {
        var incomplete = new HashSet<int>(Enumerable.Range(0, _workload.BatchSize));
        var counts = new long[_workload.BatchSize];
        bool complete = await Poll.TryUntilAsync(
            () =>
            {
                foreach (int index in incomplete.ToArray())
                {
                    (long found, long wrong) = Count(index);
                    counts[index] = found;
                    if (found == _batches)
                    {
                        WrongValues += wrong;
                        incomplete.Remove(index);
                    }
                }

                Stored = counts.Sum();
                return incomplete.Count == 0;
            },
            timeout,
            TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
        return complete ? Stopwatch.GetTimestamp() : null;
    }

    private (long Found, long Wrong) Count(int index)
    {
        IReadOnlyList<(long Timestamp, double Value)> points;
        try
        {
            points = WhisperReader.ReadAll(_cache.WhisperPath(_workload.Names[index]));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return (0, 0);
        }

        long found = 0;
        long wrong = 0;
        foreach ((long timestamp, double value) in points)
        {
            long batch = timestamp - _workload.StartTimestamp;
            if (batch < 0 || batch >= _batches)
            {
                continue;
            }

            found++;
            if (BitConverter.DoubleToInt64Bits(value) != BitConverter.DoubleToInt64Bits(_workload.ValueAt(batch, index)))
            {
                wrong++;
            }
        }

        return (found, wrong);
    }
}
