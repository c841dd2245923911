using System.Buffers.Text;
using AioGraphite.Naming;

namespace AioGraphite.Protocols;

/// <summary>
/// carbon's line protocol: <c>metric value timestamp\n</c>, invariant culture, shortest round-trip values.
/// An instance keeps the text of the last timestamp it wrote (the points of a batch mostly share one), so each
/// buffer (or message) uses its own instance, under its own lock.
/// </summary>
internal sealed class PlaintextFormat : WireFormat
{
    private readonly byte[] _cachedTimestampText = new byte[MetricNameRules.MaxTimestampChars];
    private long _cachedTimestamp = -1;
    private int _cachedTimestampLength;

    public override int MaxSegmentBytes => int.MaxValue;

    public override void BeginFrame(Segment segment)
    {
    }

    public override void EndFrame(Segment segment)
    {
    }

    public override int WorstCaseBytes(int nameBytes) => nameBytes + MetricNameRules.MaxNumbersBytes + 1; // and the newline

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
            n += FormatTimestamp(point.Timestamp, free[n..]);
            free[n++] = (byte)'\n';
        }
        else
        {
            // Near the end of a segment (or a small UDP datagram): format the numbers aside, then check the exact length.
            Span<byte> numbers = stackalloc byte[MetricNameRules.MaxNumbersBytes + 1];
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

    private int FormatTimestamp(long timestamp, Span<byte> destination)
    {
        if (timestamp != _cachedTimestamp)
        {
            Utf8Formatter.TryFormat(timestamp, _cachedTimestampText, out int length);
            _cachedTimestamp = timestamp;
            _cachedTimestampLength = length;
        }

        _cachedTimestampText.AsSpan(0, _cachedTimestampLength).CopyTo(destination);
        return _cachedTimestampLength;
    }

    /// <summary>
    /// Writes <paramref name="value"/> in shortest round-trip form, so that Python's <c>float()</c> in carbon
    /// gives back exactly the same double; the text is the same as .NET's <c>double.ToString(InvariantCulture)</c>.
    /// Two fast paths cover most metrics: whole numbers, and numbers with up to six decimals and 15 significant
    /// digits whose decimal form N / 10^k divides back to the very same double (then that decimal is what carbon
    /// parses, exactly); every other value goes to <see cref="ShortestDouble"/>.
    /// </summary>
    public static int FormatValue(double value, Span<byte> destination)
    {
        double abs = Math.Abs(value);
        if (abs < 1e15)
        {
            if (value == Math.Floor(value))
            {
                if (value != 0 || !double.IsNegative(value))
                {
                    Utf8Formatter.TryFormat((long)value, destination, out int written);
                    return written;
                }
            }
            else if (abs >= 1e-4)
            {
                int written = TryFormatFewDecimals(value, destination);
                if (written > 0)
                {
                    return written;
                }
            }
        }

        return ShortestDouble.Format(value, destination);
    }

    private static readonly double[] PowersOfTen = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6];

    private static int TryFormatFewDecimals(double value, Span<byte> destination)
    {
        for (int k = 1; k < PowersOfTen.Length; k++)
        {
            double scaled = value * PowersOfTen[k];
            if (scaled != Math.Floor(scaled))
            {
                continue;
            }

            // IEEE division is correctly rounded, so this holds exactly when the decimal N / 10^k parses to value.
            // At most 15 significant digits: then no other decimal as short parses to the same double (DBL_DIG), so
            // this one is the shortest. With 16, a shorter one can (8867394620.350731 is 8867394620.35073).
            if (Math.Abs(scaled) >= 1e15 || scaled / PowersOfTen[k] != value)
            {
                return 0;
            }

            // value * 10^k can be exactly whole where value * 10^(k-1) was not (0.55 * 100 = 55.000000000000007,
            // 0.55 * 10^4 = 5500): drop the trailing zeros; N / 10^k stays the same number.
            long n = (long)scaled;
            while (n % 10 == 0)
            {
                n /= 10;
                k--;
            }

            int length = 0;
            if (n < 0)
            {
                destination[length++] = (byte)'-';
                n = -n;
            }

            Span<byte> digits = stackalloc byte[MetricNameRules.MaxTimestampChars]; // a long's digits
            Utf8Formatter.TryFormat(n, digits, out int count);
            int whole = count - k;
            if (whole <= 0)
            {
                destination[length++] = (byte)'0';
                destination[length++] = (byte)'.';
                destination.Slice(length, -whole).Fill((byte)'0');
                length += -whole;
                digits[..count].CopyTo(destination[length..]);
                return length + count;
            }

            digits[..whole].CopyTo(destination[length..]);
            length += whole;
            destination[length++] = (byte)'.';
            digits[whole..count].CopyTo(destination[length..]);
            return length + k;
        }

        return 0;
    }
}
