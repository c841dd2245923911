namespace AioGraphite.Cli.Output;

/// <summary>
/// Decides when carbon has been unreachable for too long, from the client's statistics alone: points are waiting
/// to be written and none has been written for longer than the timeout. Points waiting while writes still make
/// progress (a slow carbon) do not count, nor does a quiet input with nothing buffered.
/// </summary>
internal sealed class DeliveryWatchdog
{
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private long _lastWritten;
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

    /// <summary>How long writing has been stalled with points waiting (zero when it is not).</summary>
    public TimeSpan StalledFor { get; private set; }

    /// <summary>Takes one observation; returns <see langword="true"/> once writing has stalled for longer than the timeout.</summary>
    /// <param name="pointsWritten">Points written so far.</param>
    /// <param name="pointsWaiting">Points accepted and not yet written.</param>
    /// <returns>Whether carbon counts as unreachable.</returns>
    public bool Observe(long pointsWritten, long pointsWaiting)
    {
        if (pointsWritten != _lastWritten || pointsWaiting == 0)
        {
            _lastWritten = pointsWritten;
            _since = _time.GetTimestamp();
            StalledFor = TimeSpan.Zero;
            return false;
        }

        StalledFor = _time.GetElapsedTime(_since);
        return StalledFor >= _timeout;
    }
}
