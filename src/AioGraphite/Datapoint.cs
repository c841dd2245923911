namespace AioGraphite;

/// <summary>
/// One Graphite datapoint: a metric path, a value and an optional Unix timestamp.
/// </summary>
/// <param name="Metric">
/// The metric path, for example <c>servers.web1.cpu</c>, optionally with Graphite 1.1 tags
/// (<c>cpu;host=web1</c>). It must not be empty and must not contain whitespace or control characters. Untagged, each
/// node becomes a directory or file in carbon's storage: at most 255 bytes in UTF-8, 251 for the last.
/// </param>
/// <param name="Value">The value. NaN and ±Infinity are rejected: carbon cannot store them.</param>
/// <param name="Timestamp">
/// Unix time in whole seconds, or <see langword="null"/> (or <c>0</c>, as in the Python original) for "now"
/// as told by the client's <see cref="TimeProvider"/>. At most 4294967295 (2106-02-07), the latest whisper stores:
/// a timestamp in milliseconds is refused.
/// </param>
public readonly record struct Datapoint(string Metric, double Value, long? Timestamp = null)
{
    /// <summary>The point's timestamp, or <paramref name="now"/> when it has none (null or 0, as in the Python original).</summary>
    internal long TimestampOr(long now) => Timestamp is long t && t != 0 ? t : now;
}
