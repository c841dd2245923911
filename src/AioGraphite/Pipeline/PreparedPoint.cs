using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <summary>
/// A point checked outside the destination's lock, waiting to be formatted under it: the name to write (default tags
/// merged), its UTF-8 length, whether the client's tag suffix follows it, the value and the timestamp; or a point that
/// failed its checks (<see cref="Error"/>), recorded as rejected in its turn under the lock.
/// </summary>
internal readonly struct PreparedPoint
{
    /// <param name="metric">The name as written between the prefix and the suffix.</param>
    /// <param name="metricBytes">Its UTF-8 length.</param>
    /// <param name="withTagSuffix">Whether the client's default tags follow it (false when they were merged into it).</param>
    /// <param name="value">The value, finite.</param>
    /// <param name="timestamp">Unix seconds, within what whisper stores.</param>
    public PreparedPoint(string metric, int metricBytes, bool withTagSuffix, double value, long timestamp)
    {
        Metric = metric;
        MetricBytes = metricBytes;
        WithTagSuffix = withTagSuffix;
        Value = value;
        Timestamp = timestamp;
    }

    /// <summary>The name as written between the prefix and the suffix (a rejected point's name as given, maybe null).</summary>
    public string? Metric { get; }

    /// <summary>Why the point was rejected; null for a valid point.</summary>
    public string? Error { get; private init; }

    /// <summary>UTF-8 length of <see cref="Metric"/>.</summary>
    public int MetricBytes { get; }

    /// <summary>Whether the client's tag suffix follows the name.</summary>
    public bool WithTagSuffix { get; }

    /// <summary>The value.</summary>
    public double Value { get; }

    /// <summary>Unix seconds.</summary>
    public long Timestamp { get; }

    /// <summary>A point that failed its checks.</summary>
    /// <param name="metric">Its name as given.</param>
    /// <param name="error">Why it was rejected.</param>
    public static PreparedPoint Rejected(string? metric, string error) => new(metric!, 0, false, 0, 0) { Error = error };

    /// <summary>The text a <see cref="WireFormat"/> writes, with the client's <paramref name="prefix"/> and <paramref name="tagSuffix"/>.</summary>
    public PointText Text(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> tagSuffix) =>
        new(prefix, Metric, MetricBytes, WithTagSuffix ? tagSuffix : default, Value, Timestamp);
}
