using System.Diagnostics;
using AioGraphite.Bench;

namespace AioGraphite.Throughput;

/// <summary>
/// One producer calling <c>TrySend</c> or <c>SendAsync</c> once per point at a fixed rate, timing every call with
/// <see cref="Stopwatch.GetTimestamp"/> into a <see cref="LatencyHistogram"/>. Points are the workload's distinct names
/// and values, without a timestamp (the client stamps them with now, as most callers let it). The rate is kept in
/// ~1 ms bursts: the producer sends what is due, then sleeps 1 ms (no core is burnt spinning); a producer that fell
/// behind (a slow call) catches up at once, as a queue in front of it would, until the time is up: then it stops, and
/// the calls it did not get to show in the calls/s. Nothing on the measured path allocates:
/// the histogram and the per-second arrays are allocated before the clock starts.
/// </summary>
internal sealed class PacedProducer
{
    private readonly GraphiteClient? _client;
    private readonly Workload _workload = new();
    private readonly Datapoint[] _batch;
    private long _batchIndex;
    private int _position;

    /// <summary>A producer calling <paramref name="client"/>; with null it times nothing (two clock reads): the floor.</summary>
    public PacedProducer(GraphiteClient? client)
    {
        _client = client;
        _batch = _workload.NewBatch();
    }

    /// <summary>Runs <paramref name="api"/> (trysend, sendasync or none) for <paramref name="seconds"/> at <paramref name="rate"/> points/s.</summary>
    public Task<ProducerResult> RunAsync(string api, long rate, double seconds)
    {
        var result = new ProducerResult(seconds, rate);
        long duration = (long)(seconds * Stopwatch.Frequency);
        long total = (long)(seconds * rate);
        return api == "sendasync"
            ? Task.Factory.StartNew(() => RunSendAsync(rate, duration, total, result), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()
            : Task.Factory.StartNew(() => RunTrySend(rate, duration, total, result), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>TrySend, or (without a client) nothing between the two clock reads.</summary>
    private ProducerResult RunTrySend(long rate, long duration, long total, ProducerResult result)
    {
        GraphiteClient? client = _client;
        double perTick = (double)rate / Stopwatch.Frequency;
        long sent = 0;
        long switches = ProducerResult.InvoluntarySwitches();
        long start = Stopwatch.GetTimestamp();
        result.Start = start;
        while (true)
        {
            long elapsed = Stopwatch.GetTimestamp() - start;
            if (elapsed >= duration)
            {
                break;
            }

            long due = Math.Min(total, (long)(elapsed * perTick) + 1);
            if (sent >= due)
            {
                Thread.Sleep(1);
                continue;
            }

            for (; sent < due; sent++)
            {
                ref readonly Datapoint p = ref Next();
                long t0 = Stopwatch.GetTimestamp();
                bool accepted = client is null || client.TrySend(p.Metric, p.Value);
                long t1 = Stopwatch.GetTimestamp();
                if (!accepted)
                {
                    result.Refused++;
                }

                if (result.Record(t0, t1) >= duration)
                {
                    sent++;
                    break;
                }
            }
        }

        result.End = Stopwatch.GetTimestamp();
        result.Preempted = switches < 0 ? -1 : ProducerResult.InvoluntarySwitches() - switches;
        return result;
    }

    private async Task<ProducerResult> RunSendAsync(long rate, long duration, long total, ProducerResult result)
    {
        GraphiteClient client = _client!;
        double perTick = (double)rate / Stopwatch.Frequency;
        long sent = 0;
        long switches = ProducerResult.InvoluntarySwitches();
        long start = Stopwatch.GetTimestamp();
        result.Start = start;
        while (true)
        {
            long elapsed = Stopwatch.GetTimestamp() - start;
            if (elapsed >= duration)
            {
                break;
            }

            long due = Math.Min(total, (long)(elapsed * perTick) + 1);
            if (sent >= due)
            {
                Thread.Sleep(1);
                continue;
            }

            for (; sent < due; sent++)
            {
                Datapoint p = Next();
                long t0 = Stopwatch.GetTimestamp();
                ValueTask send = client.SendAsync(p.Metric, p.Value);
                if (!send.IsCompleted)
                {
                    result.Awaited++;
                }

                await send.ConfigureAwait(false);
                long t1 = Stopwatch.GetTimestamp();
                if (result.Record(t0, t1) >= duration)
                {
                    sent++;
                    break;
                }
            }
        }

        result.End = Stopwatch.GetTimestamp();
        result.Preempted = switches < 0 || result.Awaited > 0 ? -1 : ProducerResult.InvoluntarySwitches() - switches; // after an await the loop may run on another thread
        return result;
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
