using System.Buffers.Text;
using System.Globalization;
using AioGraphite.Naming;
using AioGraphite.Pipeline;

namespace AioGraphite.Protocols;

/// <summary>carbon's line protocol: <c>metric value timestamp\n</c>, invariant culture, shortest round-trip values.</summary>
internal sealed class PlaintextFormat : WireFormat
{
    public static readonly PlaintextFormat Instance = new();

    public override int MaxSegmentBytes => int.MaxValue;

    public override void BeginFrame(Segment segment)
    {
    }

    public override void EndFrame(Segment segment)
    {
    }

    public override int WorstCaseBytes(int nameBytes) => nameBytes + MetricNameRules.MaxValueChars + MetricNameRules.MaxTimestampChars + 3;

    public override bool TryAppend(Segment segment, in PointText point)
    {
        Span<byte> free = segment.Free;
        int n;
        if (free.Length >= WorstCaseBytes(point.NameBytes))
        {
            n = point.WriteName(free);
            free[n++] = (byte)' ';
            n += FormatValue(point.Value, free[n..]);
            free[n++] = (byte)' ';
            Utf8Formatter.TryFormat(point.Timestamp, free[n..], out int t);
            n += t;
            free[n++] = (byte)'\n';
        }
        else
        {
            // Near the end of a segment (or a small UDP datagram): format the numbers aside, then check the exact length.
            Span<byte> numbers = stackalloc byte[MetricNameRules.MaxValueChars + MetricNameRules.MaxTimestampChars + 3];
            int v = FormatValue(point.Value, numbers[1..]);
            numbers[0] = (byte)' ';
            numbers[v + 1] = (byte)' ';
            Utf8Formatter.TryFormat(point.Timestamp, numbers[(v + 2)..], out int t);
            int tail = v + 2 + t;
            numbers[tail++] = (byte)'\n';
            if (free.Length < point.NameBytes + tail)
            {
                return false;
            }

            n = point.WriteName(free);
            numbers[..tail].CopyTo(free[n..]);
            n += tail;
        }
        segment.Length += n;
        segment.Points++;
        return true;
    }

    /// <summary>
    /// Writes <paramref name="value"/> in shortest round-trip form, so that Python's <c>float()</c> in carbon
    /// gives back exactly the same double. Whole numbers below 10^15 take a fast integer path (same text).
    /// </summary>
    public static int FormatValue(double value, Span<byte> destination)
    {
        if (Math.Abs(value) < 1e15 && value == Math.Floor(value) && !(value == 0 && double.IsNegative(value)))
        {
            Utf8Formatter.TryFormat((long)value, destination, out int written);
            return written;
        }

        value.TryFormat(destination, out int n, default, CultureInfo.InvariantCulture);
        return n;
    }
}
