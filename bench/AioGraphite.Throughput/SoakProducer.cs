using System.Diagnostics;
using AioGraphite.Bench;

namespace AioGraphite.Throughput;

/// <summary>
/// Soak mode's producer: one thread calling <c>TrySend</c> once per point at a steady rate until stopped, the workload's
/// names and values, no timestamp (the client stamps them). It sends what is due, then sleeps until the next point is due
/// (at most <see cref="MaxSleep"/>, so a stop is seen quickly); at high rates that is ~1 ms bursts.
/// </summary>
internal sealed class SoakProducer
{
    /// <summary>Longest sleep between looks at the clock and the stop flag.</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMilliseconds(100);

    private readonly GraphiteClient _client;
    private readonly long _rate;
    private readonly Workload _workload = new();
    private readonly Datapoint[] _batch;
    private readonly Thread _thread;
    private long _batchIndex;
    private int _position;
    private long _sent;
    private long _refused;
    private volatile bool _stop;

    public SoakProducer(GraphiteClient client, long rate)
    {
        _client = client;
        _rate = rate;
        _batch = _workload.NewBatch();
        _thread = new Thread(Run) { IsBackground = true, Name = "soak-producer" };
    }

    /// <summary>Points offered so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Points <c>TrySend</c> refused (buffer full under a drop policy, or the client closing).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public void Start() => _thread.Start();

    public void Stop()
    {
        _stop = true;
        _thread.Join();
    }

    private void Run()
    {
        double perTick = (double)_rate / Stopwatch.Frequency;
        long start = Stopwatch.GetTimestamp();
        long sent = 0;
        while (!_stop)
        {
            long due = (long)((Stopwatch.GetTimestamp() - start) * perTick) + 1;
            for (; sent < due && !_stop; sent++)
            {
                ref readonly Datapoint p = ref Next();
                if (!_client.TrySend(p.Metric, p.Value))
                {
                    Interlocked.Increment(ref _refused);
                }

                Interlocked.Exchange(ref _sent, sent + 1);
            }

            // Until the next point is due (its tick), within bounds.
            double ticksToNext = ((sent + 1) / perTick) - (Stopwatch.GetTimestamp() - start);
            var sleep = TimeSpan.FromSeconds(Math.Clamp(ticksToNext / Stopwatch.Frequency, 0.001, MaxSleep.TotalSeconds));
            Thread.Sleep(sleep);
        }
    }

    private ref readonly Datapoint Next()
    {
        if (_position == _batch.Length)
        {
            _workload.Fill(_batch, ++_batchIndex);
            _position = 0;
        }

        return ref _batch[_position++];
    }
}
