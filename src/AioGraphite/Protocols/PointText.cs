namespace AioGraphite.Protocols;

/// <summary>
/// A validated datapoint on its way into a <see cref="WireFormat"/>: the name is written as
/// <c>prefix + metric + suffix</c> (the client's global prefix and default tags), all already checked.
/// </summary>
internal readonly ref struct PointText
{
    public PointText(ReadOnlySpan<byte> prefix, ReadOnlySpan<char> metric, int metricUtf8Length, ReadOnlySpan<byte> suffix, double value, long timestamp)
    {
        Prefix = prefix;
        Metric = metric;
        MetricUtf8Length = metricUtf8Length;
        Suffix = suffix;
        Value = value;
        Timestamp = timestamp;
    }

    public ReadOnlySpan<byte> Prefix { get; }

    public ReadOnlySpan<char> Metric { get; }

    public int MetricUtf8Length { get; }

    public ReadOnlySpan<byte> Suffix { get; }

    public double Value { get; }

    public long Timestamp { get; }

    /// <summary>Length of the full name in UTF-8 bytes.</summary>
    public int NameBytes => Prefix.Length + MetricUtf8Length + Suffix.Length;

    /// <summary>Writes the full name as UTF-8 into <paramref name="destination"/>, which must be large enough.</summary>
    public int WriteName(Span<byte> destination)
    {
        Prefix.CopyTo(destination);
        int n = Prefix.Length;
        if (MetricUtf8Length == Metric.Length)
        {
            // Checked ASCII (almost every metric name): narrowing is all there is to do.
            System.Text.Ascii.FromUtf16(Metric, destination[n..], out int written);
            n += written;
        }
        else
        {
            n += System.Text.Encoding.UTF8.GetBytes(Metric, destination[n..]);
        }
        Suffix.CopyTo(destination[n..]);
        return n + Suffix.Length;
    }
}
