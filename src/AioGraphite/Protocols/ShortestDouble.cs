using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace AioGraphite.Protocols;

/// <summary>
/// Writes a double as UTF-8 in exactly the text of .NET's <c>double.ToString(CultureInfo.InvariantCulture)</c>:
/// the shortest decimal that parses back to the same double (the closest such, ties to an even digit), laid out
/// as .NET does it. The digits come from Raffaello Giulietti's Schubfach algorithm ("The Schubfach way to render
/// doubles", 2020): a 126-bit power of ten from a table, three 64×128-bit products rounded to odd, and at most two
/// candidates to compare. No allocation, no loop over digits to find them.
/// </summary>
/// <remarks>
/// .NET's layout: plain digits while the decimal point sits at most 17 places right of the first digit and at most
/// 3 zeros follow it (<c>12345678901234568</c>, <c>0.00012</c>); otherwise <c>d.dddE+XX</c> / <c>d.dddE-XX</c> with
/// at least two exponent digits (<c>1E+17</c>, <c>1.5E-05</c>, <c>5E-324</c>). Negative zero is <c>-0</c>.
/// </remarks>
internal static partial class ShortestDouble
{
    /// <summary>The longest text written: <c>-2.2250738585072014E-308</c>.</summary>
    public const int MaxChars = 24;

    private const int KMin = -324;
    private const int QMin = -1074;
    private const ulong CMin = 1UL << 52;
    private const ulong FractionMask = CMin - 1;
    private const ulong Mask63 = (1UL << 63) - 1;

    // "00".."99": two digits at a time.
    private static ReadOnlySpan<byte> DigitPairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    private static ReadOnlySpan<ulong> PowersOfTen =>
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
    ];

    /// <summary>
    /// Writes <paramref name="value"/> into <paramref name="destination"/> (at least <see cref="MaxChars"/> bytes)
    /// and returns the number of bytes written. NaN and the infinities are written as .NET writes them.
    /// </summary>
    public static int Format(double value, Span<byte> destination)
    {
        if (destination.Length < MaxChars)
        {
            ThrowTooShort();
        }

        return Format(value, ref MemoryMarshal.GetReference(destination));
    }

    /// <summary>Writes <paramref name="value"/> at <paramref name="destination"/>, which has room for <see cref="MaxChars"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Format(double value, ref byte destination)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(value);
        int sign = (int)(bits >> 63);
        destination = (byte)'-'; // overwritten by the first digit when positive
        ref byte text = ref Unsafe.Add(ref destination, sign);
        ulong fraction = bits & FractionMask;
        int biasedExponent = (int)(bits >> 52) & 0x7FF;
        ulong digits;
        int exponent;
        if (biasedExponent != 0)
        {
            if (biasedExponent == 0x7FF)
            {
                return FormatNonFinite(value, ref destination);
            }

            int minusQ = 1075 - biasedExponent;
            ulong c = CMin | fraction;
            if ((uint)minusQ < 53 && (c & ((1UL << minusQ) - 1)) == 0)
            {
                // A whole number below 2^53: its own digits are the shortest (the doubles around it are at most 1 apart).
                digits = c >> minusQ;
                exponent = 0;
            }
            else
            {
                digits = ToDecimal(-minusQ, c, out exponent);
            }
        }
        else if (fraction != 0)
        {
            // Subnormal. The two smallest are too close to 0 for the table's precision: 5E-324 and 1E-323.
            if (fraction < 3)
            {
                digits = fraction == 1 ? 5UL : 1UL;
                exponent = fraction == 1 ? -324 : -323;
            }
            else
            {
                digits = ToDecimal(QMin, fraction, out exponent);
            }
        }
        else
        {
            text = (byte)'0';
            return sign + 1;
        }

        return sign + Layout(digits, exponent, ref text);
    }

    /// <summary>
    /// Schubfach: the shortest decimal in the rounding interval of c·2^q (both ends in it when c is even), and of
    /// the shortest, the closest to c·2^q (ties to even). Returns the digits d with c·2^q ≈ d·10^exponent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong ToDecimal(int q, ulong c, out int exponent)
    {
        ulong odd = c & 1;
        ulong cb = c << 2;
        ulong cbr = cb + 2;
        ulong cbl;
        int k;
        if (c != CMin || q == QMin)
        {
            cbl = cb - 2;
            k = FloorLog10Pow2(q);
        }
        else
        {
            // The lowest significand of a binade: the double below is half as far as the one above.
            cbl = cb - 1;
            k = FloorLog10ThreeQuartersPow2(q);
        }

        int h = q + FloorLog2Pow10(-k) + 2;
        ref ulong g = ref Unsafe.Add(ref MemoryMarshal.GetReference(G), (k - KMin) * 2);
        ulong g1 = g;
        ulong g0 = Unsafe.Add(ref g, 1);

        // 4·c·2^q·10^-k, 4·(c - 1/2)·..., 4·(c + 1/2)·..., each rounded to odd (exact or not is kept in the last bit).
        ulong vb = RoundToOdd(g1, g0, cb << h);
        ulong vbl = RoundToOdd(g1, g0, cbl << h);
        ulong vbr = RoundToOdd(g1, g0, cbr << h);
        ulong s = vb >> 2;
        // One digit fewer: of the two multiples of ten around s, at most one is in the interval (it is narrower than
        // 10^(k+1)). Unlike Java, which wants two digits at least, no lower bound on s: 5E-323, not 4.9E-323.
        ulong sp10 = s / 10 * 10;
        ulong tp10 = sp10 + 10;
        bool upin = vbl + odd <= sp10 << 2;
        bool wpin = (tp10 << 2) + odd <= vbr;
        if (upin != wpin)
        {
            exponent = k;
            return upin ? sp10 : tp10;
        }

        ulong t = s + 1;
        bool uin = vbl + odd <= s << 2;
        bool win = (t << 2) + odd <= vbr;
        exponent = k;
        if (uin != win)
        {
            return uin ? s : t;
        }

        // Both in the interval: the closer one, and on a tie the even one.
        long cmp = (long)(vb - ((s + t) << 1));
        return cmp < 0 || (cmp == 0 && (s & 1) == 0) ? s : t;
    }

    // floor(g·cp / 2^127) with its last bit set when the product is not exact: "round to odd".
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RoundToOdd(ulong g1, ulong g0, ulong cp)
    {
        ulong x1 = MultiplyHigh(g0, cp);
        ulong y1 = MultiplyHigh(g1, cp);
        ulong y0 = g1 * cp;
        ulong z = (y0 >> 1) + x1;
        ulong vbp = y1 + (z >> 63);
        return vbp | (((z & Mask63) + Mask63) >> 63);
    }

    // The high 64 bits of a·b. Math.BigMul's low half goes through memory (an out parameter); the low half is a plain
    // multiplication, and the high half alone has an instruction of its own.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MultiplyHigh(ulong a, ulong b) =>
        Bmi2.X64.IsSupported ? Bmi2.X64.MultiplyNoFlags(a, b)
        : ArmBase.Arm64.IsSupported ? ArmBase.Arm64.MultiplyHigh(a, b)
        : Math.BigMul(a, b, out _);

    // floor(e·log10(2)), floor(e·log10(3/4 · 2)) and floor(e·log2(10)) for the exponents of doubles.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FloorLog10Pow2(int e) => (int)((e * 661_971_961_083L) >> 41);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FloorLog10ThreeQuartersPow2(int e) => (int)(((e * 661_971_961_083L) - 274_743_187_321L) >> 41);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FloorLog2Pow10(int e) => (int)((e * 913_124_641_741L) >> 38);

    /// <summary>
    /// Writes d·10^exponent (d &gt; 0, at most 17 digits) as .NET lays it out, trailing zeros dropped; returns the length.
    /// <see cref="PlaintextFormat.FormatValue"/>'s fast paths write their exact decimals with it too. It may write scratch
    /// bytes past the length, never past <see cref="MaxChars"/> bytes from the sign's place before <paramref name="text"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int Layout(ulong d, int exponent, ref byte text)
    {
        // Drop the trailing zeros (at most 16). d is a multiple of 10^k exactly when d·5^-k (mod 2^64), rotated right by
        // k, is at most (2^64 - 1) / 10^k, and then that is d / 10^k: one multiplication per step instead of a division.
        // Most digits end in another digit (every full-precision value): one step finds that; otherwise the one zero
        // found and then eight, four, two and one (at most 15 more).
        ulong tenth = BitOperations.RotateRight(d * 0xCCCC_CCCC_CCCC_CCCDUL, 1);
        if (tenth <= ulong.MaxValue / 10)
        {
            d = tenth;
            exponent++;
            d = RemoveZeros(d, 0xC767_074B_22E9_0E21UL, 8, ulong.MaxValue / 100_000_000, ref exponent);
            d = RemoveZeros(d, 0xD288_CE70_3AFB_7E91UL, 4, ulong.MaxValue / 10_000, ref exponent);
            d = RemoveZeros(d, 0x8F5C_28F5_C28F_5C29UL, 2, ulong.MaxValue / 100, ref exponent);
            d = RemoveZeros(d, 0xCCCC_CCCC_CCCC_CCCDUL, 1, ulong.MaxValue / 10, ref exponent);
        }

        int count = CountDigits(d);
        int point = count + exponent; // d·10^exponent = 0.ddd × 10^point
        if (point > 17 || point < -3)
        {
            // d.ddd E±XX: the digits one place right, then the first moved before the point.
            WriteDigits(ref Unsafe.Add(ref text, 1), d, count);
            text = Unsafe.Add(ref text, 1);
            int length = 1;
            if (count > 1)
            {
                Unsafe.Add(ref text, 1) = (byte)'.';
                length = count + 1;
            }

            Unsafe.Add(ref text, length++) = (byte)'E';
            int e = point - 1;
            Unsafe.Add(ref text, length++) = e < 0 ? (byte)'-' : (byte)'+';
            e = Math.Abs(e);
            if (e >= 100)
            {
                Unsafe.Add(ref text, length++) = (byte)('0' + (e / 100));
                e %= 100;
            }

            Unsafe.Add(ref text, length) = DigitPairs[2 * e];
            Unsafe.Add(ref text, length + 1) = DigitPairs[(2 * e) + 1];
            return length + 2;
        }

        if (point <= 0)
        {
            // 0.000ddd
            int zeros = -point;
            text = (byte)'0';
            Unsafe.Add(ref text, 1) = (byte)'.';
            Unsafe.Add(ref text, 2) = (byte)'0';
            Unsafe.Add(ref text, 3) = (byte)'0';
            Unsafe.Add(ref text, 4) = (byte)'0';
            WriteDigits(ref Unsafe.Add(ref text, 2 + zeros), d, count);
            return 2 + zeros + count;
        }

        if (point >= count)
        {
            // ddd000: up to 17 digits in all
            WriteDigits(ref text, d, count);
            Unsafe.InitBlockUnaligned(ref Unsafe.Add(ref text, count), (byte)'0', (uint)(point - count));
            return point;
        }

        // ddd.ddd: the digits one place right, then the whole part (at most 16 digits, as point < count <= 17) moved back
        // over the gap: of the first 16 bytes, those before the point are taken one place further on.
        WriteDigits(ref Unsafe.Add(ref text, 1), d, count);
        Vector128<byte> positions = Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        Vector128<byte> moved = Vector128.ConditionalSelect(
            Vector128.LessThan(positions, Vector128.Create((byte)point)),
            Unsafe.ReadUnaligned<Vector128<byte>>(ref Unsafe.Add(ref text, 1)),
            Unsafe.ReadUnaligned<Vector128<byte>>(ref text));
        Unsafe.WriteUnaligned(ref text, moved);
        Unsafe.Add(ref text, point) = (byte)'.';
        return count + 1;
    }

    // d / 10^k when d is a multiple of 10^k (then exponent += k), else d; inverse is 5^-k mod 2^64.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RemoveZeros(ulong d, ulong inverse, int k, ulong limit, ref int exponent)
    {
        ulong r = BitOperations.RotateRight(d * inverse, k);
        if (r <= limit)
        {
            exponent += k;
            return r;
        }

        return d;
    }

    /// <summary>10^<paramref name="k"/>, k = 0 .. 18.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong PowerOfTen(int k) => Unsafe.Add(ref MemoryMarshal.GetReference(PowersOfTen), k);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CountDigits(ulong d)
    {
        int estimate = ((64 - BitOperations.LeadingZeroCount(d)) * 1233) >> 12;
        return estimate + (d >= PowerOfTen(estimate) ? 1 : 0);
    }

    /// <summary>
    /// Writes the <paramref name="count"/> digits of <paramref name="d"/> (d &lt; 10^17, count &lt;= 17) at
    /// <paramref name="text"/>: up to eight with <see cref="EightDigits"/>, more sixteen at once (<see cref="SixteenDigits"/>).
    /// With fewer than eight digits it also writes scratch bytes up to <paramref name="text"/> + 8, which the caller's
    /// room (<see cref="MaxChars"/>) covers and its next writes or its length leave out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteDigits(ref byte text, ulong d, int count)
    {
        if (count <= 8)
        {
            // The leading zeros are the low bytes (written first): shifted out.
            Unsafe.WriteUnaligned(ref text, EightDigits((uint)d) >> (8 * (8 - count)));
            return;
        }

        ulong high = d / 100_000_000;
        uint low = (uint)(d - (high * 100_000_000));
        int highCount = count - 8;
        if (highCount > 8)
        {
            uint top = (uint)(high / 100_000_000); // 17 digits: one, then sixteen
            text = (byte)('0' + top);
            text = ref Unsafe.Add(ref text, 1);
            high -= top * 100_000_000UL;
            highCount = 8;
        }

        // Both words at once; the first shifted right past its leading zeros, the second written after it.
        Vector128<ulong> words = SixteenDigits((uint)high, low).AsUInt64();
        Unsafe.WriteUnaligned(ref text, words.GetElement(0) >> (8 * (8 - highCount)));
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref text, highCount), words.GetElement(1));
    }

    /// <summary>
    /// The sixteen decimal digits of <paramref name="high"/> and then <paramref name="low"/> (each below 10^8, leading
    /// zeros included) as ASCII, the first digit in the lowest byte: <see cref="EightDigits"/> for both at once in one
    /// vector register, each split done on all lanes with one multiplication (x / 10^4 by 0xD1B71759 &gt;&gt; 45 on the
    /// 64-bit lanes, then x / 100 by 10486 &gt;&gt; 20 and x / 10 by 103 &gt;&gt; 10 as high halves of 16-bit
    /// products), about twenty instructions instead of about fifty. Without SSE2, the two words one after the other.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<byte> SixteenDigits(uint high, uint low)
    {
        if (!Sse2.IsSupported)
        {
            return Vector128.Create(EightDigits(high), EightDigits(low)).AsByte();
        }

        Vector128<ulong> x = Vector128.Create((ulong)high, low);
        Vector128<ulong> halves = Sse2.ShiftRightLogical(Sse2.Multiply(x.AsUInt32(), Vector128.Create(0xD1B7_1759U)), 45); // x / 10^4
        Vector128<ulong> rest = x - Sse2.Multiply(halves.AsUInt32(), Vector128.Create(10_000U));
        Vector128<ushort> fours = (halves | Sse2.ShiftLeftLogical(rest, 32)).AsUInt16();                                   // 4 digits per 32-bit lane
        Vector128<ushort> hundreds = Sse2.ShiftRightLogical(Sse2.MultiplyHigh(fours, Vector128.Create((ushort)10_486)), 4);
        Vector128<ushort> pairs = (hundreds.AsUInt32() | Sse2.ShiftLeftLogical((fours - (hundreds * 100)).AsUInt32(), 16)).AsUInt16(); // 2 per 16-bit lane
        Vector128<ushort> tens = Sse2.MultiplyHigh(pairs, Vector128.Create((ushort)(103 * 64)));
        Vector128<ushort> digits = tens | Sse2.ShiftLeftLogical(pairs - (tens * 10), 8);
        return digits.AsByte() + Vector128.Create((byte)'0');
    }

    /// <summary>
    /// The eight decimal digits of <paramref name="x"/> (below 10^8, leading zeros included) as ASCII, the first digit in
    /// the lowest byte (so a little-endian store writes them in order), without a division or a table: the number is
    /// split into two 4-digit halves, each half into two 2-digit quarters, each quarter into two digits, every split done
    /// on all lanes of the word at once with a multiply and a shift (v·10486 &gt;&gt; 20 is v / 100 below 10^4, v·103
    /// &gt;&gt; 10 is v / 10 below 100, and neither product crosses into the next lane).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong EightDigits(uint x)
    {
        ulong halves = (x / 10_000) | ((ulong)(x % 10_000) << 32);                              // lanes of 32 bits: high half, low half
        ulong hundreds = ((halves * 10_486) >> 20) & 0x0000_007F_0000_007FUL;                  // each half / 100
        ulong quarters = ((halves - (hundreds * 100)) << 16) | hundreds;                       // lanes of 16 bits, in order
        ulong tens = ((quarters * 103) >> 10) & 0x000F_000F_000F_000FUL;                       // each quarter / 10
        return ((quarters - (tens * 10)) << 8) + tens + 0x3030_3030_3030_3030UL;               // ones after tens, as text
    }

    /// <summary>The table's g(k) as its two 63-bit halves (for the tests).</summary>
    public static (ulong G1, ulong G0) TableEntry(int k) => (G[(k - KMin) * 2], G[((k - KMin) * 2) + 1]);

    private static int FormatNonFinite(double value, ref byte destination)
    {
        value.TryFormat(MemoryMarshal.CreateSpan(ref destination, MaxChars), out int written, default, CultureInfo.InvariantCulture);
        return written;
    }

    private static void ThrowTooShort() =>
        throw new ArgumentException($"The destination must have room for {MaxChars} bytes.", "destination");
}
