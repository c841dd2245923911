using System.Diagnostics;

namespace AioGraphite.Throughput;

/// <summary>
/// Reads <see cref="GraphiteClient.Statistics"/> (lock-free counters) every 100 ms on its own thread during a latency
/// row: when the buffer first dropped points, and how full it was at the end of every second.
/// </summary>
internal sealed class BufferMonitor : IDisposable
{
    private readonly GraphiteClient _client;
    private readonly long _start;
    private readonly long _dropped0;
    private readonly long[] _bufferedAtSecond;
    private readonly Thread _thread;
    private volatile bool _stop;

    public BufferMonitor(GraphiteClient client, long start, double seconds)
    {
        _client = client;
        _start = start;
        _dropped0 = client.Statistics.PointsDroppedBufferFull;
        _bufferedAtSecond = new long[(int)Math.Ceiling(seconds) + 1];
        _thread = new Thread(Run) { IsBackground = true, Name = "latency-monitor" };
        _thread.Start();
    }

    /// <summary>Seconds after the start when the first point was dropped for a full buffer (to within 100 ms), or null.</summary>
    public double? FirstDropAfter { get; private set; }

    /// <summary>Buffered bytes at the end of every whole second.</summary>
    public IReadOnlyList<long> BufferedAtSecond => _bufferedAtSecond;

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }

    private void Run()
    {
        while (!_stop)
        {
            Thread.Sleep(100);
            GraphiteClientStatistics stats = _client.Statistics;
            TimeSpan since = Stopwatch.GetElapsedTime(_start);
            int second = (int)Math.Min(since.TotalSeconds, _bufferedAtSecond.Length - 1);
            _bufferedAtSecond[second] = stats.BufferedBytes;
            if (FirstDropAfter is null && stats.PointsDroppedBufferFull > _dropped0)
            {
                FirstDropAfter = since.TotalSeconds;
            }
        }
    }
}
