using System.Buffers.Text;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
    /// Two fast paths: whole numbers, and numbers with at most 14 significant digits (what most metrics hold:
    /// <c>37.25</c>, <c>0.0734</c>, <c>1834523.5</c>), found by one scaling to a whole number and one division back
    /// (<see cref="TryFormatShortDecimal"/>); every other value goes to <see cref="ShortestDouble"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
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
                    return WriteDecimal(value < 0, Truncate(abs), 0, ref text);
                }

                if (!double.IsNegative(value))
                {
                    text = (byte)'0';
                    return 1;
                }
            }
            else if (abs >= 1e-4)
            {
                int written = TryFormatShortDecimal(value, abs, ref text);
                if (written > 0)
                {
                    return written;
                }
            }
        }

        return ShortestDouble.Format(value, ref text);
    }

    /// <summary>
    /// 10^k for k = 0 .. <see cref="MaxShortPlaces"/>, exact, as doubles: converting <see cref="ShortestDouble.PowerOfTen"/>
    /// per value instead measured 2.4 % more producer CPU per plaintext point (scripts/ab-interleaved.sh).
    /// </summary>
    private static ReadOnlySpan<double> ExactPowersOfTen => [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

    /// <summary>Bytes of the ASCII digit '0' in every lane of a word.</summary>
    private const ulong ZeroDigits = 0x3030_3030_3030_3030UL;

    /// <summary>Most decimal places the short-decimal path writes: one word of digits.</summary>
    private const int MaxShortPlaces = 8;

    /// <summary>
    /// For 1e-4 &lt;= |<paramref name="value"/>| &lt; 1e15, not whole: when a decimal N / 10^k (k at most
    /// <see cref="MaxShortPlaces"/>) with N &lt; 2·10^14 parses to <paramref name="value"/>, writes it (without its
    /// trailing zeros) and returns its length; otherwise returns 0. k is as large as both bounds allow (13 - floor(e·log10 2)
    /// for value in [2^e, 2^(e+1)), at most 8), so every such decimal with k or fewer places is found: N is value·10^k
    /// rounded to a whole number (the product's rounding error is far below ½), and IEEE division is correctly rounded, so
    /// N / 10^k == value holds exactly when that decimal parses to value. It is then the shortest: it has at most 15
    /// significant digits, and no two decimals of 15 digits or fewer parse to the same double (DBL_DIG), so no shorter one
    /// does; with 16, one can (8867394620.350731 is 8867394620.35073). The text is the whole part, the point and the k
    /// places, both words of digits made at once (<see cref="ShortestDouble.SixteenDigits"/>), the places' trailing zeros
    /// cut by counting the zero bytes at the word's end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TryFormatShortDecimal(double value, double abs, ref byte text)
    {
        int binaryExponent = (int)(BitConverter.DoubleToUInt64Bits(abs) >> 52) - 1023; // -14 .. 49 here
        int k = Math.Min(13 - (int)((binaryExponent * 661_971_961_083L) >> 41), MaxShortPlaces); // 13 - floor(e·log10 2)
        if (k <= 0)
        {
            return 0;
        }

        double power = Unsafe.Add(ref MemoryMarshal.GetReference(ExactPowersOfTen), k);
        double scaled = Math.Round(abs * power);
        if (scaled / power != abs)
        {
            return 0;
        }

        // No whole number lies in value's rounding interval (each is a double of its own), so the decimal's whole part is
        // value's, and its places are N - whole·10^k, above 0.
        ulong whole = Truncate(abs);
        if (whole >= 100_000_000)
        {
            return WriteDecimal(value < 0, Truncate(scaled), -k, ref text);
        }

        ulong places = Truncate(scaled) - (whole * ShortestDouble.PowerOfTen(k));
        Vector128<ulong> words = ShortestDouble.SixteenDigits((uint)whole, (uint)(places * ShortestDouble.PowerOfTen(MaxShortPlaces - k))).AsUInt64();
        ulong placesText = words.GetElement(1);
        int placesLength = MaxShortPlaces - (BitOperations.LeadingZeroCount(placesText ^ ZeroDigits) >> 3);
        ulong wholeText = words.GetElement(0);
        int wholeLength = Math.Max(8 - (BitOperations.TrailingZeroCount(wholeText ^ ZeroDigits) >> 3), 1);

        int sign = value < 0 ? 1 : 0;
        text = (byte)'-'; // overwritten by the first digit when positive
        ref byte digits = ref Unsafe.Add(ref text, sign);
        Unsafe.WriteUnaligned(ref digits, wholeText >> (8 * (8 - wholeLength)));
        Unsafe.Add(ref digits, wholeLength) = (byte)'.';
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref digits, wholeLength + 1), placesText);
        return sign + wholeLength + 1 + placesLength;
    }

    /// <summary>
    /// <paramref name="x"/> (0 &lt;= x &lt; 2^63, a whole number here) as an integer. On x64 one truncating conversion
    /// (cvttsd2si): C#'s cast saturates out-of-range values since .NET 9, five instructions more, which the values here
    /// never need. Arm64's conversion saturates by itself.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Truncate(double x) =>
        Sse2.X64.IsSupported ? (ulong)Sse2.X64.ConvertToInt64WithTruncation(Vector128.CreateScalarUnsafe(x)) : (ulong)(long)x;

    /// <summary>Writes ±digits·10^exponent (digits &gt; 0) as .NET lays out a double, through <see cref="ShortestDouble.Layout"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteDecimal(bool negative, ulong digits, int exponent, ref byte text)
    {
        int sign = negative ? 1 : 0;
        text = (byte)'-'; // overwritten by the first digit when positive
        return sign + ShortestDouble.Layout(digits, exponent, ref Unsafe.Add(ref text, sign));
    }
}
