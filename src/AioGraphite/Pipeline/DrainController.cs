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
    private readonly CancellationTokenSource _hardStop;
    private volatile bool _draining;
    private TimeSpan _timeout;

    public DrainController(TimeProvider time) => _hardStop = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);

    /// <summary>Whether the client is closing: deliver what is held, then stop.</summary>
    public bool Draining => _draining;

    /// <summary>Cancelled once the drain timeout has passed: every wait ends, the loop stops.</summary>
    public CancellationToken HardStop => _hardStop.Token;

    /// <summary>Whether the drain timeout has passed.</summary>
    public bool HardStopped => _hardStop.IsCancellationRequested;

    /// <summary>Starts draining; the hard stop comes after <paramref name="timeout"/> and wakes the loop through <paramref name="wake"/>.</summary>
    public void Begin(TimeSpan timeout, Action wake)
    {
        _timeout = timeout;
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

    public void Dispose() => _hardStop.Dispose();
}
