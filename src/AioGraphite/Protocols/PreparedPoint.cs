namespace AioGraphite.Protocols;

/// <summary>
/// A point checked outside the destination's lock, waiting to be formatted under it: its encoded name (default tags
/// merged, the client's prefix and tag suffix included), the value and the timestamp; or a point that failed its checks
/// (<see cref="Error"/>), recorded as rejected in its turn under the lock.
/// </summary>
internal readonly struct PreparedPoint
{
    private readonly string? _rejectedMetric;

    /// <param name="name">The encoded name.</param>
    /// <param name="value">The value, finite.</param>
    /// <param name="timestamp">Unix seconds, within what whisper stores.</param>
    public PreparedPoint(EncodedName name, double value, long timestamp)
    {
        Name = name;
        Value = value;
        Timestamp = timestamp;
    }

    private PreparedPoint(string? metric, string error)
    {
        _rejectedMetric = metric;
        Error = error;
    }

    /// <summary>The encoded name; null for a rejected point.</summary>
    public EncodedName? Name { get; }

    /// <summary>The name as written (a rejected point's name as given, maybe null).</summary>
    public string? Metric => Name is { } name ? name.Metric : _rejectedMetric;

    /// <summary>Why the point was rejected; null for a valid point.</summary>
    public string? Error { get; }

    /// <summary>The value.</summary>
    public double Value { get; }

    /// <summary>Unix seconds.</summary>
    public long Timestamp { get; }

    /// <summary>A point that failed its checks.</summary>
    /// <param name="metric">Its name as given.</param>
    /// <param name="error">Why it was rejected.</param>
    public static PreparedPoint Rejected(string? metric, string error) => new(metric, error);
}
