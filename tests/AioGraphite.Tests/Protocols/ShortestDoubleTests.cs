using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text;
using AioGraphite.Protocols;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Tests.Protocols;

public sealed class ShortestDoubleTests
{
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(double.Epsilon, "5E-324")]
    [InlineData(-double.Epsilon, "-5E-324")]
    [InlineData(1e-323, "1E-323")]
    [InlineData(2.2250738585072014E-308, "2.2250738585072014E-308")]
    [InlineData(-2.2250738585072014E-308, "-2.2250738585072014E-308")]
    [InlineData(2.225073858507201E-308, "2.225073858507201E-308")] // the largest subnormal
    [InlineData(double.MaxValue, "1.7976931348623157E+308")]
    [InlineData(1e23, "1E+23")]
    [InlineData(1e17, "1E+17")]
    [InlineData(1e16, "10000000000000000")]
    [InlineData(12345678901234568, "12345678901234568")]
    [InlineData(123456789012345680, "1.2345678901234568E+17")]
    [InlineData(18014398509481992, "18014398509481990")] // the shorter decimal is on the (even) boundary
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00012345, "0.00012345")]
    [InlineData(0.00001, "1E-05")]
    [InlineData(1.2345678901234567E-05, "1.2345678901234568E-05")]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(37.25, "37.25")]
    [InlineData(1834523.5, "1834523.5")]
    [InlineData(-42, "-42")]
    [InlineData(9007199254740993, "9007199254740992")]
    public void Format_KnownValues_AreDotNetsText(double value, string expected)
    {
        byte[] buffer = new byte[ShortestDouble.MaxChars];
        int n = ShortestDouble.Format(value, buffer);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer, 0, n));
        Assert.Equal(expected, value.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(0x3E60_0000_0000_0000, "2.9802322387695312E-08")] // 2^-25
    [InlineData(0x0410_0000_0000_0000, "4.1045368012983762E-289")] // 2^-958
    public void Format_PowersOfTwoDotNet10WritesWrong_AreTheTextThatRoundTrips(long bits, string expected)
    {
        // .NET 10.0 writes 2.980232238769531E-08 and 4.104536801298376E-289, which parse to the double below
        // (dotnet/runtime#131131, Dragon4's margins for exact powers of two): the client writes the right text.
        double value = BitConverter.Int64BitsToDouble(bits);
        byte[] buffer = new byte[ShortestDouble.MaxChars];
        int n = ShortestDouble.Format(value, buffer);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer, 0, n));
        Assert.Equal(value, double.Parse(expected, CultureInfo.InvariantCulture));
        Assert.Equal(expected, value.ToString("G17", CultureInfo.InvariantCulture));
        Assert.True(DoubleEdgeCases.IsExpectedText(value, value.ToString(CultureInfo.InvariantCulture), expected));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Format_NonFinite_IsDotNetsText(double value)
    {
        byte[] buffer = new byte[ShortestDouble.MaxChars];
        int n = ShortestDouble.Format(value, buffer);
        Assert.Equal(value.ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public void Format_EveryEdgeClass_IsExactlyDotNetsText()
    {
        double[] values = DoubleEdgeCases.All();
        Assert.True(values.Length > 50_000, $"only {values.Length} edge values");
        byte[] buffer = new byte[ShortestDouble.MaxChars];
        foreach (double value in values)
        {
            int n = ShortestDouble.Format(value, buffer);
            string expected = value.ToString(CultureInfo.InvariantCulture);
            string actual = Encoding.ASCII.GetString(buffer, 0, n);
            Assert.True(DoubleEdgeCases.IsExpectedText(value, expected, actual), $"0x{BitConverter.DoubleToInt64Bits(value):X16}: .NET writes {expected}, ShortestDouble wrote {actual}");
        }
    }

    [Fact]
    public void Format_FourMillionRandomBitPatterns_AreExactlyDotNetsText()
    {
        // Half uniform bit patterns, half below 2^64 in magnitude (where the integers and the notation switch are).
        var random = new Random(20_261_207);
        byte[] buffer = new byte[ShortestDouble.MaxChars];
        byte[] expected = new byte[64];
        for (int i = 0; i < 4_000_000; i++)
        {
            long bits = random.NextInt64();
            if ((i & 1) == 1)
            {
                bits = (bits & ~(0x7FFL << 52)) | ((long)random.Next(0x3C0, 0x440) << 52);
            }

            double value = BitConverter.Int64BitsToDouble(bits);
            int n = ShortestDouble.Format(value, buffer);
            Assert.True(value.TryFormat(expected, out int m, default, CultureInfo.InvariantCulture));
            if (!buffer.AsSpan(0, n).SequenceEqual(expected.AsSpan(0, m))
                && !DoubleEdgeCases.IsExpectedText(value, Encoding.ASCII.GetString(expected, 0, m), Encoding.ASCII.GetString(buffer, 0, n)))
            {
                Assert.Fail($"0x{bits:X16}: .NET writes {Encoding.ASCII.GetString(expected, 0, m)}, ShortestDouble wrote {Encoding.ASCII.GetString(buffer, 0, n)}");
            }
        }
    }

    [Fact]
    public void Format_IntegersUpTo2Pow64_AreExactlyDotNetsText()
    {
        var random = new Random(53);
        byte[] buffer = new byte[ShortestDouble.MaxChars];
        for (int i = 0; i < 200_000; i++)
        {
            double value = (double)(random.NextInt64() >> random.Next(0, 63));
            int n = ShortestDouble.Format(value, buffer);
            string expected = value.ToString(CultureInfo.InvariantCulture);
            Assert.True(expected == Encoding.ASCII.GetString(buffer, 0, n), $"{expected}: ShortestDouble wrote {Encoding.ASCII.GetString(buffer, 0, n)}");
        }
    }

    [Fact]
    public void SixteenDigits_IsBothWordsOfEightDigits()
    {
        // The vector form against the scalar one: every boundary of a digit's place, and random pairs.
        var values = new List<uint> { 0, 99_999_999 };
        for (uint p = 1; p < 100_000_000; p *= 10)
        {
            values.AddRange([p - 1, p, p + 1, (9 * p) + (p - 1)]);
        }

        var random = new Random(16);
        for (int i = 0; i < 200_000; i++)
        {
            values.Add((uint)random.Next(100_000_000));
        }

        for (int i = 0; i < values.Count; i++)
        {
            uint high = values[i];
            uint low = values[values.Count - 1 - i];
            Vector128<ulong> words = ShortestDouble.SixteenDigits(high, low).AsUInt64();
            Assert.True(
                words.GetElement(0) == ShortestDouble.EightDigits(high) && words.GetElement(1) == ShortestDouble.EightDigits(low),
                $"{high:D8} {low:D8}: got {words.GetElement(0):X16} {words.GetElement(1):X16}");
        }
    }

    [Fact]
    public void Format_ShortDestination_Throws() =>
        Assert.Throws<ArgumentException>(() => ShortestDouble.Format(1.0, new byte[ShortestDouble.MaxChars - 1]));

    [Fact]
    public void Table_IsFloorOfTenToTheMinusKOverTwoToTheR_PlusOne()
    {
        // g(k) = floor(10^-k / 2^r) + 1 with 2^125 <= 10^-k / 2^r < 2^126, split into two 63-bit halves.
        for (int k = -324; k <= 292; k++)
        {
            (ulong g1, ulong g0) = ShortestDouble.TableEntry(k);
            BigInteger numerator = k <= 0 ? BigInteger.Pow(10, -k) : BigInteger.One;
            BigInteger denominator = k <= 0 ? BigInteger.One : BigInteger.Pow(10, k);
            int r = (int)(numerator.GetBitLength() - denominator.GetBitLength()) - 125;
            BigInteger Scaled(int rr) => rr >= 0 ? numerator / (denominator << rr) : (numerator << -rr) / denominator;
            while (Scaled(r) >= BigInteger.One << 126)
            {
                r++;
            }

            while (Scaled(r) < BigInteger.One << 125)
            {
                r--;
            }

            BigInteger g = Scaled(r) + 1;
            Assert.Equal(g >> 63, new BigInteger(g1));
            Assert.Equal(g & ((BigInteger.One << 63) - 1), new BigInteger(g0));
        }
    }

    [Fact]
    public async Task FormatValue_EdgeClassesAndRandomValues_PythonFloatParsesBackBitForBit()
    {
        // carbon parses each value with Python's float(): every edge value and random doubles to ~100k in all, each
        // line "text hex-of-struct.pack('<d')", checked by the real CPython.
        Assert.True(
            File.Exists(PythonScript.Interpreter),
            $"{PythonScript.Interpreter} is missing: this check needs the real CPython that carbon runs on. Install it with: apt-get install python3");
        var values = new List<double>(DoubleEdgeCases.All());
        var random = new Random(1_700);
        while (values.Count < 100_000)
        {
            double v = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (double.IsFinite(v))
            {
                values.Add(v);
            }
        }

        var text = new StringBuilder(values.Count * 48);
        byte[] buffer = new byte[ShortestDouble.MaxChars];
        foreach (double value in values)
        {
            int n = PlaintextFormat.FormatValue(value, buffer);
            text.Append(Encoding.ASCII.GetString(buffer, 0, n)).Append(' ').Append(Convert.ToHexStringLower(BitConverter.GetBytes(value))).Append('\n');
        }

        const string Script = """
            import struct, sys
            count, bad = 0, []
            for line in sys.stdin:
                text, expected = line.split()
                count += 1
                got = struct.pack('<d', float(text)).hex()
                if got != expected:
                    bad.append("%s parsed to %s, sent %s" % (text, got, expected))
            print(count, len(bad))
            print("\n".join(bad[:20]))
            """;
        string result = await PythonScript.RunAsync(Script, text.ToString(), cancellationToken: TestContext.Current.CancellationToken);
        string[] lines = result.Split('\n');
        Assert.True(lines[0] == $"{values.Count} 0", $"Python's float() did not give back every double (checked, mismatches: {lines[0]}):\n{result}");
    }

    [Theory]
    [InlineData(0x4200844DA1E2CE4C, "8867394620.35073")]
    [InlineData(unchecked((long)0xC2A00724029E241A), "-8811427483410.05")]
    [InlineData(0x426031C30FA334EE, "556434750745.654")]
    public void FormatValue_SixteenDigitDecimals_AreAsShortAsDotNets(long bits, string expected)
    {
        // Before issue 17 the few-decimals fast path took N / 10^6 for these (8867394620.350731): a 16-digit text
        // that parses back right but is not the shortest, so not .NET's text. Found by --check-doubles.
        double value = BitConverter.Int64BitsToDouble(bits);
        byte[] buffer = new byte[ShortestDouble.MaxChars];
        int n = PlaintextFormat.FormatValue(value, buffer);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer, 0, n));
        Assert.Equal(expected, value.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void FormatValue_DecimalsWithUpTo17DigitsAndUpTo20Places_AreExactlyDotNetsText()
    {
        // The short-decimal fast path's whole domain and past it: N / 10^k, N up to 10^17, k up to 20 (the path scales
        // by up to 10^18; 15 significant digits and more, and below 1e-4, go to ShortestDouble).
        var random = new Random(15);
        byte[] buffer = new byte[ShortestDouble.MaxChars];
        for (int i = 0; i < 500_000; i++)
        {
            long mantissa = random.NextInt64(-100_000_000_000_000_000, 100_000_000_000_000_000) >> random.Next(0, 40);
            double value = mantissa / Math.Pow(10, random.Next(0, 21));
            int n = PlaintextFormat.FormatValue(value, buffer);
            string expected = value.ToString(CultureInfo.InvariantCulture);
            Assert.True(expected == Encoding.ASCII.GetString(buffer, 0, n), $"{expected}: FormatValue wrote {Encoding.ASCII.GetString(buffer, 0, n)}");
        }
    }
}
