using System.Globalization;

namespace AioGraphite.TestUtilities;

/// <summary>
/// The doubles a shortest round-trip formatter gets wrong first, each with both signs and its two neighbours: zero,
/// the subnormals' ends, the smallest normal, <see cref="double.MaxValue"/>, every power of ten and of two, values of
/// 1 to 17 significant digits on both sides of .NET's switches to E notation (10^17 and 10^-4), integers around
/// 2^53, 10^15 and 10^16, and a fixed set of 15-, 16- and 17-digit decimals. Shared by the unit tests and the
/// benchmark tool's <c>--check-doubles</c>.
/// </summary>
public static class DoubleEdgeCases
{
    /// <summary>
    /// The doubles whose <c>ToString()</c> in .NET 10.0 does not parse back to them: 2^-25 and 2^-958, each sign
    /// (Dragon4 took every exact power of two for one with equal margins; dotnet/runtime#131131 fixes it). The
    /// client writes the shortest text that does round-trip, which is what .NET writes once that fix ships.
    /// </summary>
    public static IReadOnlySet<long> DotNetRoundTripMisses { get; } = new HashSet<long>
    {
        0x3E60_0000_0000_0000, unchecked((long)0xBE60_0000_0000_0000), 0x0410_0000_0000_0000, unchecked((long)0x8410_0000_0000_0000),
    };

    /// <summary>
    /// Whether <paramref name="actual"/> is the text the client must write for <paramref name="value"/>: exactly .NET's
    /// invariant round-trip text (<paramref name="dotNet"/>), except for <see cref="DotNetRoundTripMisses"/>, where
    /// .NET's text parses to another double and <paramref name="actual"/> must parse back to the value itself.
    /// </summary>
    /// <param name="value">The double formatted.</param>
    /// <param name="dotNet">.NET's text, <c>value.ToString(CultureInfo.InvariantCulture)</c>.</param>
    /// <param name="actual">The text under test.</param>
    /// <returns>Whether it is right.</returns>
    public static bool IsExpectedText(double value, string dotNet, string actual)
    {
        if (dotNet == actual)
        {
            return true;
        }

        long bits = BitConverter.DoubleToInt64Bits(value);
        return DotNetRoundTripMisses.Contains(bits)
            && BitConverter.DoubleToInt64Bits(double.Parse(dotNet, CultureInfo.InvariantCulture)) != bits
            && BitConverter.DoubleToInt64Bits(double.Parse(actual, CultureInfo.InvariantCulture)) == bits
            && actual.Length <= dotNet.Length + 1;
    }

    /// <summary>Every edge value (finite, no duplicates), in a fixed order.</summary>
    /// <returns>Tens of thousands of doubles.</returns>
    public static double[] All()
    {
        var values = new List<double>();

        void AddWithNeighbours(double v)
        {
            foreach (double x in (ReadOnlySpan<double>)[v, Math.BitIncrement(v), Math.BitDecrement(v)])
            {
                if (double.IsFinite(x))
                {
                    values.Add(x);
                    values.Add(-x);
                }
            }
        }

        AddWithNeighbours(0.0);
        foreach (long bits in (ReadOnlySpan<long>)[1, 2, 3, 4, 5, 9, 10, 0x000F_FFFF_FFFF_FFFF, 0x0008_0000_0000_0000, 0x0010_0000_0000_0000, 0x0010_0000_0000_0001, 0x7FEF_FFFF_FFFF_FFFF])
        {
            AddWithNeighbours(BitConverter.Int64BitsToDouble(bits)); // subnormals, the smallest normal, MaxValue
        }

        AddWithNeighbours(double.Epsilon);
        AddWithNeighbours(double.MaxValue);
        for (int k = -324; k <= 308; k++)
        {
            AddWithNeighbours(double.Parse($"1e{k}", CultureInfo.InvariantCulture));
            AddWithNeighbours(double.Parse($"9.999999999999999e{k}", CultureInfo.InvariantCulture));
            AddWithNeighbours(double.Parse($"5e{k}", CultureInfo.InvariantCulture));
        }

        for (int e = -1074; e <= 1023; e++)
        {
            AddWithNeighbours(Math.ScaleB(1.0, e));
            AddWithNeighbours(Math.ScaleB(1.5, e));
        }

        // n significant digits with the decimal point at every place from 10^-8 to 10^22 (the notation switches).
        const string Digits = "12345678901234567";
        for (int n = 1; n <= 17; n++)
        {
            for (int point = -8; point <= 22; point++)
            {
                AddWithNeighbours(double.Parse($"{Digits[..n]}e{point - n}", CultureInfo.InvariantCulture));
                AddWithNeighbours(double.Parse($"{new string('9', n)}e{point - n}", CultureInfo.InvariantCulture));
            }
        }

        foreach (double center in (ReadOnlySpan<double>)[9007199254740992.0, 1e15, 1e16, 1e17, 18014398509481984.0, 4503599627370496.0])
        {
            for (int i = -40; i <= 40; i++)
            {
                AddWithNeighbours(center + i);
            }
        }

        // 15, 16 and 17 significant digits, at exponents across the range.
        var random = new Random(17);
        for (int i = 0; i < 3000; i++)
        {
            int n = 15 + (i % 3);
            string digits = string.Concat(Enumerable.Range(0, n).Select(j => (char)('0' + (j == 0 ? random.Next(1, 10) : random.Next(10)))));
            AddWithNeighbours(double.Parse($"{digits}e{random.Next(-340, 300)}", CultureInfo.InvariantCulture));
        }

        var seen = new HashSet<long>();
        return [.. values.Where(v => seen.Add(BitConverter.DoubleToInt64Bits(v)))];
    }
}
