namespace AioGraphite.Extensions.Hosting;

/// <summary>
/// What one Graphite health check registration remembers between runs: the client's drop count (and its spool's error
/// count, <see cref="SpoolErrors"/>) when it last looked, and when it last saw it grow. Thread-safe (health checks may run concurrently).
/// </summary>
internal sealed class DroppedPointsWatch
{
    private readonly Lock _sync = new();
    private object? _owner;
    private long _seen;
    private DateTimeOffset? _lastDrop;
    private DroppedPointsWatch? _spoolErrors;

    /// <summary>The same watch over the count of failed spool writes and syncs (<see cref="GraphiteSpoolStatistics.Errors"/>).</summary>
    public DroppedPointsWatch SpoolErrors
    {
        get
        {
            lock (_sync)
            {
                return _spoolErrors ??= new DroppedPointsWatch();
            }
        }
    }

    /// <summary>Takes the current count of <paramref name="owner"/> (the client); returns when a growth was last seen (now, if it grew since the last look).</summary>
    public DateTimeOffset? Observe(object owner, long dropped, DateTimeOffset now)
    {
        lock (_sync)
        {
            if (!ReferenceEquals(owner, _owner))
            {
                _owner = owner; // a new client (another service provider): start over
                _seen = 0;
                _lastDrop = null;
            }

            if (dropped > _seen)
            {
                _lastDrop = now;
            }

            _seen = dropped;
            return _lastDrop;
        }
    }
}
