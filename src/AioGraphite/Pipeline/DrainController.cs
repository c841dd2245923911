using AioGraphite.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Pipeline;

/// <summary>
/// The end of a sender's life: the close asks it to drain (deliver what it holds) within a timeout, after which the hard
/// stop cuts every wait short; when the loop has ended, what it still held is accounted for: counted as undelivered or
/// not replayed, logged, and the waiters failed. Draining is set by the closing thread; the rest runs on the loop.
/// </summary>
internal sealed class DrainController : IDisposable
{
    /// <summary>
    /// How long, past the close's deadline, the spool writer may take to finish its last write and sync, and then the loop
    /// to release the spool, before the close goes on without them (a disk that hangs: an NFS or FUSE mount that never
    /// answers). <c>CloseAsync</c> returns within <c>DrainTimeout</c> plus twice this.
    /// </summary>
    public static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _hardStop;
    private readonly TimeProvider _time;
    private volatile bool _draining;
    private TimeSpan _timeout;
    private long _deadline;          // when the close gives up delivering (a GetTimestamp value)
    private int _leftoversCounted;   // the loop's shutdown, or the close that gave up on the loop, counted what was left

    public DrainController(TimeProvider time)
    {
        _time = time;
        _hardStop = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    /// <summary>Whether the client is closing: deliver what is held, then stop.</summary>
    public bool Draining => _draining;

    /// <summary>Cancelled once the drain timeout has passed: every wait ends, the loop stops.</summary>
    public CancellationToken HardStop => _hardStop.Token;

    /// <summary>Whether the drain timeout has passed.</summary>
    public bool HardStopped => _hardStop.IsCancellationRequested;

    /// <summary>Whether what was left has been counted (by the loop's end, or by a close that gave up on a hung loop): the loop sends nothing more.</summary>
    public bool Accounted => Volatile.Read(ref _leftoversCounted) != 0;

    /// <summary>Time left until the close's deadline (zero when it has passed).</summary>
    public TimeSpan UntilDeadline
    {
        get
        {
            long left = Volatile.Read(ref _deadline) - _time.GetTimestamp();
            return left > 0 ? TimeSpan.FromSeconds(left / (double)_time.TimestampFrequency) : TimeSpan.Zero;
        }
    }

    /// <summary>Starts draining; the hard stop comes after <paramref name="timeout"/> and wakes the loop through <paramref name="wake"/>.</summary>
    public void Begin(TimeSpan timeout, Action wake)
    {
        _timeout = timeout;
        Volatile.Write(ref _deadline, _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency));
        _draining = true;
        try
        {
            _hardStop.Token.Register(wake);
            _hardStop.CancelAfter(timeout);
        }
        catch (ObjectDisposedException)
        {
            // The loop has already ended.
        }
    }

    /// <summary>
    /// Accounts for what the sender held when it stopped: never consumed (undelivered), or consumed but not replayed;
    /// fails every waiter with the numbers.
    /// </summary>
    public void Account(in Leftovers leftovers, bool kept, PipelineCounters counters, DeliveryProgress progress, ILogger log, string description)
    {
        if (Interlocked.Exchange(ref _leftoversCounted, 1) != 0)
        {
            return; // the close gave up on this loop and counted already
        }

        long undelivered = leftovers.UndeliveredPoints;
        if (undelivered > 0)
        {
            counters.Undelivered(undelivered, DropReason.CloseTimeout);
            GraphiteLog.Undelivered(log, description, undelivered, (long)_timeout.TotalMilliseconds);
        }

        if (leftovers.NotReplayedPoints > 0)
        {
            counters.NotReplayed(leftovers.NotReplayedPoints, kept);
            if (!kept)
            {
                GraphiteLog.NotReplayed(log, description, leftovers.NotReplayedPoints);
            }
        }

        progress.FailAll(
            new GraphiteException($"The client for {description} closed before {undelivered} point(s) could be written."),
            new GraphiteException($"The client for {description} closed before carbon confirmed delivery; {undelivered} point(s) were not consumed."));
    }

    /// <summary>
    /// The loop did not stop in time: it hangs in a spool read or in releasing the spool (a sick disk). The close goes on
    /// without it: what carbon did not consume (from the counters) is counted and logged, waiters fail. The loop ends by
    /// itself if the disk ever answers, and sends nothing more.
    /// </summary>
    public void GiveUpOnHungLoop(PipelineCounters counters, DeliveryProgress progress, ILogger log, string description)
    {
        if (Interlocked.Exchange(ref _leftoversCounted, 1) == 0)
        {
            long points = counters.Outstanding;
            counters.Undelivered(points, DropReason.CloseTimeout);
            GraphiteLog.SenderHung(log, description, (long)(2 * CloseGrace.TotalMilliseconds), points);
        }

        progress.FailAll(
            new GraphiteException($"The client for {description} closed before the points could be written."),
            new GraphiteException($"The client for {description} closed before carbon confirmed delivery."));
    }

    public void Dispose() => _hardStop.Dispose();
}
