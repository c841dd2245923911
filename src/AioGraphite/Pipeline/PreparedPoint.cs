using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <summary>
/// A point checked outside the destination's lock, waiting to be formatted under it: the name to write (default tags
/// merged), its UTF-8 length, whether the client's tag suffix follows it, the value and the timestamp.
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

    /// <summary>The name as written between the prefix and the suffix.</summary>
    public string Metric { get; }

    /// <summary>UTF-8 length of <see cref="Metric"/>.</summary>
    public int MetricBytes { get; }

    /// <summary>Whether the client's tag suffix follows the name.</summary>
    public bool WithTagSuffix { get; }

    /// <summary>The value.</summary>
    public double Value { get; }

    /// <summary>Unix seconds.</summary>
    public long Timestamp { get; }

    /// <summary>The text a <see cref="WireFormat"/> writes, with the client's <paramref name="prefix"/> and <paramref name="tagSuffix"/>.</summary>
    public PointText Text(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> tagSuffix) =>
        new(prefix, Metric, MetricBytes, WithTagSuffix ? tagSuffix : default, Value, Timestamp);
}
