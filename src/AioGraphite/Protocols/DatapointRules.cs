using System.Buffers.Text;
using AioGraphite.Naming;

namespace AioGraphite.Protocols;

/// <summary>Every check a datapoint passes at the API edge, in one place.</summary>
internal static class DatapointRules
{
    /// <summary>
    /// Checks one point whose name will be written as <c>prefix + metric + suffix</c>; returns <see langword="null"/>
    /// when it can be sent, otherwise the reason. <paramref name="metricUtf8Length"/> is the UTF-8 length of <paramref name="metric"/>.
    /// </summary>
    public static string? Check(string? metric, double value, long timestamp, int prefixBytes, int suffixBytes, int maxLineBytes, out int metricUtf8Length)
    {
        metricUtf8Length = 0;
        if (metric is null)
        {
            return "the metric name is null";
        }

        string? error = MetricNameRules.Check(metric, out metricUtf8Length, out bool tagged);
        if (error is not null)
        {
            return error;
        }

        if (tagged)
        {
            error = TagRules.CheckTaggedPath(metric);
        }
        else if (suffixBytes > 0)
        {
            error = TagRules.CheckSeriesName(metric);
        }
        else
        {
            // Untagged, it is stored under a path made of its nodes (a tagged name under its hash).
            error = WhisperLimits.CheckPath(metric, metricUtf8Length, prefixBytes);
        }

        if (error is not null)
        {
            return error;
        }

        if (!double.IsFinite(value))
        {
            return $"its value {value} is not a finite number (carbon drops NaN silently and a non-finite number can kill the connection)";
        }

        if ((ulong)timestamp > WhisperLimits.MaxTimestamp)
        {
            return WhisperLimits.CheckTimestamp(timestamp, value);
        }

        int nameBytes = prefixBytes + metricUtf8Length + suffixBytes;
        if (nameBytes > maxLineBytes - MetricNameRules.MaxNumbersBytes)
        {
            int line = LineBytes(nameBytes, value, timestamp);
            if (line > maxLineBytes)
            {
                return $"its line would be {line} bytes, over the limit of {maxLineBytes} bytes ({(maxLineBytes == MetricNameRules.MaxLineBytes ? "carbon drops the connection past it" : "the UDP datagram size")})";
            }
        }

        return null;
    }

    /// <summary>Builds the <see cref="ArgumentException"/> for a rejected point.</summary>
    public static ArgumentException Rejected(string? metric, string reason, string paramName) =>
        new($"Datapoint {MetricNameRules.Quote(metric)} was rejected: {reason}. Nothing of it was sent.", paramName);

    /// <summary>Length of the plaintext line <c>name value timestamp</c> without its newline.</summary>
    private static int LineBytes(int nameBytes, double value, long timestamp)
    {
        Span<byte> scratch = stackalloc byte[Math.Max(MetricNameRules.MaxValueChars, MetricNameRules.MaxTimestampChars)];
        int valueBytes = PlaintextFormat.FormatValue(value, scratch);
        Utf8Formatter.TryFormat(timestamp, scratch, out int timestampBytes);
        return nameBytes + 1 + valueBytes + 1 + timestampBytes;
    }
}
