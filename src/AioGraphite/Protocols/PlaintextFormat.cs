using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AioGraphite.Naming;

namespace AioGraphite.Protocols;

/// <summary>
/// carbon's line protocol: <c>metric value timestamp\n</c>, invariant culture, shortest round-trip values.
/// An instance keeps the text of the last timestamp it wrote (the points of a batch mostly share one), so each
/// buffer (or message) uses its own instance, under its own lock. Names come encoded (<see cref="EncodedName"/>): their
/// bytes are copied, not converted, per point.
/// </summary>
internal sealed class PlaintextFormat : WireFormat
{
    /// <summary>Bytes of the timestamp's text block, copied whole (the text is at most 12: space, 10 digits, newline).</summary>
    private const int TailBlockBytes = 16;

    /// <summary>
    /// Room after a name's record that the fast path needs: the record's last copy block, the value, the timestamp's
    /// whole block (more than the exact line needs, so this only picks the path; whether a point fits is decided by
    /// its exact length).
    /// </summary>
    private const int FastPathRoom = EncodedName.CopyBlockBytes + MetricNameRules.MaxValueChars + TailBlockBytes;

    // The text " <timestamp>\n" of the last timestamp written (the points of a batch mostly share one).
    private TimestampTail _tail;
    private long _tailTimestamp = -1;
    private int _tailLength;

    public override int MaxSegmentBytes => int.MaxValue;

    public override EncodedName Encode(ReadOnlySpan<byte> prefix, string metric, int metricBytes, ReadOnlySpan<byte> suffix)
    {
        EncodedName name = EncodedName.Create(prefix, metric, metricBytes, suffix, before: 0, after: 1, out byte[] record);
        record[name.RecordLength - 1] = (byte)' ';
        return name;
    }

    public override void BeginFrame(Segment segment)
    {
    }

    public override void EndFrame(Segment segment)
    {
    }

    public override int WorstCaseBytes(int nameBytes) => nameBytes + MetricNameRules.MaxNumbersBytes + 1; // and the newline

    /// <summary>
    /// Writes <c>record value timestamp\n</c> per point through a byte cursor; the segment's length and point count
    /// are updated once.
    /// </summary>
    public override int Write(Segment segment, ReadOnlySpan<PreparedPoint> points)
    {
        var run = new PreparedPointRun(points);
        return Write(segment, ref run, 0);
    }

    /// <summary>
    /// Writes the points of <paramref name="run"/> from <paramref name="start"/> as <see cref="Write(Segment, ReadOnlySpan{PreparedPoint})"/>
    /// does, until the segment is full or the run stops; returns how many were written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Write<TRun>(Segment segment, ref TRun run, int start)
        where TRun : IPointRun, allows ref struct
    {
        byte[] buffer = segment.Buffer;
        ref byte origin = ref MemoryMarshal.GetArrayDataReference(buffer);
        int position = segment.Length;
        int i = start;
        for (; i < run.Count; i++)
        {
            if (!run.TryGet(i, out EncodedName name, out double value, out long timestamp))
            {
                break;
            }

            int room = buffer.Length - position;
            if (room < name.RecordLength + FastPathRoom)
            {
                // Near the end of a segment (or a small UDP datagram): the exact length decides.
                int written = WriteExact(buffer.AsSpan(position), name, value, timestamp);
                if (written == 0)
                {
                    break;
                }

                position += written;
                continue;
            }

            ref byte cursor = ref Unsafe.Add(ref origin, position);
            int n = name.CopyTo(ref cursor);
            n += FormatValue(value, MemoryMarshal.CreateSpan(ref Unsafe.Add(ref cursor, n), room - n));
            if (timestamp != _tailTimestamp)
            {
                SetTail(timestamp);
            }

            Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref cursor, n), ref _tail[0], TailBlockBytes);
            position += n + _tailLength;
        }

        segment.Points += i - start;
        segment.Length = position;
        return i - start;
    }

    private static int WriteExact(Span<byte> free, EncodedName name, double value, long timestamp)
    {
        Span<byte> numbers = stackalloc byte[MetricNameRules.MaxNumbersBytes + 1];
        int v = FormatValue(value, numbers);
        numbers[v] = (byte)' ';
        Utf8Formatter.TryFormat(timestamp, numbers[(v + 1)..], out int t);
        int tail = v + 1 + t;
        numbers[tail++] = (byte)'\n';
        int length = name.RecordLength;
        if (free.Length < length + tail)
        {
            return 0;
        }

        name.Record.AsSpan(0, length).CopyTo(free);
        numbers[..tail].CopyTo(free[length..]);
        return length + tail;
    }

    private void SetTail(long timestamp)
    {
        Span<byte> tail = _tail;
        tail[0] = (byte)' ';
        Utf8Formatter.TryFormat(timestamp, tail[1..], out int length);
        tail[length + 1] = (byte)'\n';
        _tailLength = length + 2;
        _tailTimestamp = timestamp;
    }

    [InlineArray(TailBlockBytes)]
    private struct TimestampTail
    {
        private byte _first;
    }

    /// <summary>
    /// Writes <paramref name="value"/> in shortest round-trip form, so that Python's <c>float()</c> in carbon
    /// gives back exactly the same double; the text is the same as .NET's <c>double.ToString(InvariantCulture)</c>.
    /// Two fast paths: whole numbers, and numbers with one decimal and up to 15 significant digits whose decimal form
    /// N / 10 divides back to the very same double (then that decimal is what carbon parses, exactly); every other
    /// value goes to <see cref="ShortestDouble"/>. More decimals in the fast path measured slower than
    /// <see cref="ShortestDouble"/> (BenchmarkDotNet, same run: two decimals 21.6 vs 19.9 ns, four 23.4 vs 19.1 ns, and
    /// a full-precision value paid 25 ns for the six failed tries); one decimal stays (21.1 vs 29.2 ns).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int FormatValue(double value, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, ShortestDouble.MaxChars, nameof(destination));
        ref byte text = ref MemoryMarshal.GetReference(destination);
        double abs = Math.Abs(value);
        if (abs < 1e15)
        {
            if (value == Math.Floor(value))
            {
                if (value != 0)
                {
                    return WriteDecimal(value < 0, (ulong)abs, 0, ref text);
                }

                if (!double.IsNegative(value))
                {
                    text = (byte)'0';
                    return 1;
                }
            }
            else if (abs >= 1e-4)
            {
                int written = TryFormatFewDecimals(value, ref text);
                if (written > 0)
                {
                    return written;
                }
            }
        }

        return ShortestDouble.Format(value, ref text);
    }

    /// <summary>10^k for the decimals the fast path tries, k = 1 .. length - 1 (one decimal: see <see cref="FormatValue"/>).</summary>
    private static readonly double[] PowersOfTen = [1, 1e1];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int TryFormatFewDecimals(double value, ref byte text)
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
            // 0.55 * 10^4 = 5500): the layout drops the trailing zeros; N / 10^k stays the same number.
            return WriteDecimal(scaled < 0, (ulong)Math.Abs(scaled), -k, ref text);
        }

        return 0;
    }

    /// <summary>Writes ±digits·10^exponent (digits &gt; 0) as .NET lays out a double, through <see cref="ShortestDouble.Layout"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteDecimal(bool negative, ulong digits, int exponent, ref byte text)
    {
        int sign = negative ? 1 : 0;
        text = (byte)'-'; // overwritten by the first digit when positive
        return sign + ShortestDouble.Layout(digits, exponent, ref Unsafe.Add(ref text, sign));
    }
}
