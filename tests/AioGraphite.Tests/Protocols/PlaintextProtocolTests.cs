using System.Globalization;
using System.Text;
using AioGraphite.Protocols;
using AioGraphite.TestUtilities;
using CsCheck;
using Xunit;

namespace AioGraphite.Tests.Protocols;

public sealed class PlaintextProtocolTests
{
    [Fact]
    public void GenerateMessage_OriginalsExample_IsOneLinePerPoint()
    {
        byte[] message = new PlaintextProtocol().GenerateMessage([new("metric1", 455, 1471640924), new("metric2", 1.5, 1471640925)]);
        Assert.Equal("metric1 455 1471640924\nmetric2 1.5 1471640925\n", Encoding.ASCII.GetString(message));
    }

    [Fact]
    public void GenerateMessage_Empty_IsEmpty() => Assert.Empty(new PlaintextProtocol().GenerateMessage([]));

    [Fact]
    public void GenerateMessage_UnderACommaDecimalCulture_StillWritesInvariantNumbers()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.NegativeSign = "~";
        try
        {
            CultureInfo.CurrentCulture = comma;
            byte[] message = new PlaintextProtocol().GenerateMessage([new("a", -1234.5, 1)]);
            Assert.Equal("a -1234.5 1\n", Encoding.ASCII.GetString(message));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(-0.0, "-0")]
    [InlineData(1e16, "10000000000000000")]
    [InlineData(1e21, "1E+21")]
    [InlineData(999999999999999, "999999999999999")]
    [InlineData(-42, "-42")]
    [InlineData(5e-324, "5E-324")]
    [InlineData(double.MaxValue, "1.7976931348623157E+308")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    public void FormatValue_KnownValues_AreShortestRoundTrip(double value, string expected)
    {
        byte[] buffer = new byte[64];
        int n = PlaintextFormat.FormatValue(value, buffer);
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public void FormatValue_AnyFiniteDouble_ParsesBackToTheSameBits() =>
        Gen.Double.Where(double.IsFinite).Sample(value =>
        {
            byte[] buffer = new byte[64];
            int n = PlaintextFormat.FormatValue(value, buffer);
            double parsed = double.Parse(Encoding.ASCII.GetString(buffer, 0, n), CultureInfo.InvariantCulture);
            return BitConverter.DoubleToInt64Bits(parsed) == BitConverter.DoubleToInt64Bits(value);
        }, iter: 100_000);

    [Fact]
    public void FormatValue_NumbersWithFewDecimals_WriteExactlyWhatDotNetWrites() =>
        Gen.Select(Gen.Long[-99_999_999_999, 99_999_999_999], Gen.Int[0, 8]).Sample((mantissa, k) =>
        {
            double value = mantissa / Math.Pow(10, k);
            byte[] buffer = new byte[64];
            int n = PlaintextFormat.FormatValue(value, buffer);
            return Encoding.ASCII.GetString(buffer, 0, n) == value.ToString(CultureInfo.InvariantCulture);
        }, iter: 200_000);

    [Fact]
    public void FormatValue_AnyFiniteDouble_WritesExactlyWhatDotNetWrites() =>
        Gen.Double.Where(double.IsFinite).Sample(value =>
        {
            byte[] buffer = new byte[64];
            int n = PlaintextFormat.FormatValue(value, buffer);
            return DoubleEdgeCases.IsExpectedText(value, value.ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(buffer, 0, n));
        }, iter: 100_000);

    [Fact]
    public async Task GenerateMessage_RandomValues_PythonFloatParsesExactlyTheDoubleSent()
    {
        // carbon parses each field with Python's float(): check the very same function on 5,000 random doubles.
        var random = new Random(42);
        Datapoint[] points = [.. Enumerable.Range(0, 5_000).Select(i =>
        {
            double v = (i % 2) switch
            {
                0 => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
                _ => random.NextInt64(-10_000_000_000, 10_000_000_000) / Math.Pow(10, random.Next(0, 8)), // the fast decimal path
            };
            return new Datapoint($"m{i}", double.IsFinite(v) ? v : i * 0.1, 1_700_000_000 + i);
        })];
        string text = Encoding.ASCII.GetString(new PlaintextProtocol().GenerateMessage(points));
        const string Script = """
            import sys
            for line in sys.stdin.read().splitlines():
                metric, value, ts = line.strip().split()
                print("%s %s %d" % (metric, float(value).hex(), int(float(ts))))
            """;
        string result = await PythonScript.RunAsync(Script, text, cancellationToken: TestContext.Current.CancellationToken);
        string[] lines = result.Trim().Split('\n');
        Assert.Equal(points.Length, lines.Length);
        for (int i = 0; i < points.Length; i++)
        {
            string[] f = lines[i].Split(' ');
            Assert.Equal(BitConverter.DoubleToInt64Bits(points[i].Value), BitConverter.DoubleToInt64Bits(FromPythonHex(f[1])));
            Assert.Equal(points[i].Timestamp, long.Parse(f[2], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void GenerateMessage_TimestampBeyond2038_IsWrittenWhole()
    {
        // Past int.MaxValue (no 32-bit signed cast), up to whisper's unsigned 32-bit limit.
        byte[] message = new PlaintextProtocol().GenerateMessage([new("future", 1, 4_102_444_800), new("last", 2, 4_294_967_295)]);
        Assert.Equal("future 1 4102444800\nlast 2 4294967295\n", Encoding.ASCII.GetString(message));
    }

    [Fact]
    public void GenerateMessage_UnicodeName_IsUtf8()
    {
        byte[] message = new PlaintextProtocol().GenerateMessage([new("caf\u00e9.\U0001F600", 1, 2)]);
        Assert.Equal("caf\u00e9.\U0001F600 1 2\n", Encoding.UTF8.GetString(message));
        Assert.Equal(Encoding.UTF8.GetByteCount("caf\u00e9.\U0001F600 1 2\n"), message.Length);
    }

    [Fact]
    public void GenerateMessage_ZeroTimestamp_MeansNowAsInTheOriginal()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_600_000_000));
        byte[] message = new PlaintextProtocol(time).GenerateMessage([new("a", 1, 0), new("b", 2)]);
        Assert.Equal("a 1 1600000000\nb 2 1600000000\n", Encoding.ASCII.GetString(message));
    }

    private static double FromPythonHex(string hex)
    {
        bool negative = hex.StartsWith('-');
        hex = hex.TrimStart('-')[2..];
        int p = hex.IndexOf('p', StringComparison.Ordinal);
        int exponent = int.Parse(hex[(p + 1)..], CultureInfo.InvariantCulture);
        string[] parts = hex[..p].Split('.');
        long mantissa = Convert.ToInt64(parts[1].PadRight(13, '0'), 16);
        double value = parts[0] == "0"
            ? BitConverter.Int64BitsToDouble(mantissa)
            : BitConverter.Int64BitsToDouble(((long)(exponent + 1023) << 52) | mantissa);
        return negative ? -value : value;
    }
}
