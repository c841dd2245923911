namespace AioGraphite.Cli.Output;

/// <summary>
/// Decides when carbon has been unreachable (or has stopped consuming) for too long, from the client's statistics alone:
/// points are waiting to be delivered and none has been delivered for longer than the timeout. Points waiting while
/// deliveries still make progress (a slow carbon) do not count, nor does a quiet input with nothing waiting.
/// </summary>
internal sealed class DeliveryWatchdog
{
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private long _lastDelivered;
    private long _since;

    /// <summary>Creates a watchdog.</summary>
    /// <param name="timeout">How long writing may stall while points wait.</param>
    /// <param name="timeProvider">The clock.</param>
    public DeliveryWatchdog(TimeSpan timeout, TimeProvider timeProvider)
    {
        _timeout = timeout;
        _time = timeProvider;
        _since = timeProvider.GetTimestamp();
    }

    /// <summary>How long delivery has been stalled with points waiting (zero when it is not).</summary>
    public TimeSpan StalledFor { get; private set; }

    /// <summary>Takes one observation; returns <see langword="true"/> once delivery has stalled for longer than the timeout.</summary>
    /// <param name="pointsDelivered">Points delivered so far.</param>
    /// <param name="pointsWaiting">Points accepted and not yet delivered (nor given up).</param>
    /// <returns>Whether carbon counts as unreachable.</returns>
    public bool Observe(long pointsDelivered, long pointsWaiting)
    {
        if (pointsDelivered != _lastDelivered || pointsWaiting == 0)
        {
            _lastDelivered = pointsDelivered;
            _since = _time.GetTimestamp();
            StalledFor = TimeSpan.Zero;
            return false;
        }

        StalledFor = _time.GetElapsedTime(_since);
        return StalledFor >= _timeout;
    }
}
