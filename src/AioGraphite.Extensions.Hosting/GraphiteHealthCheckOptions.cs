namespace AioGraphite.Extensions.Hosting;

/// <summary>
/// Thresholds of the Graphite health check (<c>AddHealthChecks().AddGraphite()</c>), bindable from configuration as the
/// named options of the check's name (by default <c>graphite</c>). The check reports
/// <list type="bullet">
/// <item><b>Healthy</b> while every destination is connected, nothing waits to be replayed, the buffer is below
/// <see cref="BufferThreshold"/> and no point was dropped within <see cref="DroppedPointsWindow"/>;</item>
/// <item><b>Degraded</b> while a destination is reconnecting (for up to <see cref="UnreachableThreshold"/>), points of a
/// lost connection wait to be replayed, or a buffer holds more than <see cref="BufferThreshold"/> of
/// <see cref="GraphiteClientOptions.BufferCapacityBytes"/>, the disk spool met damaged records at start-up (for the
/// client's life: they could not be sent, see <see cref="GraphiteSpoolStatistics.DamagedRecords"/>), or the spool failed
/// to write or sync within <see cref="DroppedPointsWindow"/>;</item>
/// <item><b>Unhealthy</b> (or the registration's failure status) when a destination has been unreachable longer than
/// <see cref="UnreachableThreshold"/>, or points were dropped (buffer full, or given up undelivered) within
/// <see cref="DroppedPointsWindow"/>.</item>
/// </list>
/// </summary>
public sealed class GraphiteHealthCheckOptions
{
    /// <summary>Default of <see cref="UnreachableThreshold"/>: one minute.</summary>
    internal static readonly TimeSpan DefaultUnreachableThreshold = TimeSpan.FromMinutes(1);

    /// <summary>Default of <see cref="BufferThreshold"/>: half the buffer.</summary>
    internal const double DefaultBufferThreshold = 0.5;

    /// <summary>Default of <see cref="DroppedPointsWindow"/>: five minutes.</summary>
    internal static readonly TimeSpan DefaultDroppedPointsWindow = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a destination may be without a connection before the check reports a failure; until then it is Degraded
    /// (reconnecting). Default one minute: a carbon restart takes seconds, and the client buffers and replays meanwhile.
    /// </summary>
    public TimeSpan UnreachableThreshold { get; set; } = DefaultUnreachableThreshold;

    /// <summary>
    /// The share of <see cref="GraphiteClientOptions.BufferCapacityBytes"/> a destination's buffer may hold before the check
    /// reports Degraded (carbon is taking data slower than it comes). Between 0 (exclusive) and 1. Default 0.5.
    /// </summary>
    public double BufferThreshold { get; set; } = DefaultBufferThreshold;

    /// <summary>
    /// How long after the check last saw points dropped it reports a failure. Default five minutes, so that probes
    /// every few seconds to a minute all see it.
    /// </summary>
    public TimeSpan DroppedPointsWindow { get; set; } = DefaultDroppedPointsWindow;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    internal void Validate()
    {
        if (UnreachableThreshold < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(UnreachableThreshold), UnreachableThreshold, "UnreachableThreshold must not be negative.");
        }

        if (!(BufferThreshold > 0 && BufferThreshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(BufferThreshold), BufferThreshold, "BufferThreshold must be above 0 and at most 1.");
        }

        if (DroppedPointsWindow < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DroppedPointsWindow), DroppedPointsWindow, "DroppedPointsWindow must not be negative.");
        }
    }
}
