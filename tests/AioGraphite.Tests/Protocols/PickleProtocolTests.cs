using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Tests.Protocols;

public sealed class PickleProtocolTests
{
    public static TheoryData<string> VectorNames() => [.. Vectors().Select(v => v.Name)];

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void GenerateMessage_CPythonVector_EqualsOptimizedCPythonPickleByteForByte(string name)
    {
        PickleVector vector = Vectors().Single(v => v.Name == name);
        byte[] message = new PickleProtocol().GenerateMessage(vector.Points);
        Assert.Equal(vector.Optimized, Convert.ToHexStringLower(message));
    }

    [Fact]
    public void GenerateMessage_OriginalExample_MatchesTheOriginalsFrameWithoutMemoOpcodes()
    {
        // The original's documented frame for [('metric1', 455, 1471640924)] with memo opcodes (q..) removed,
        // the value being a double here (BINFLOAT 'G' instead of BININT2 'M').
        byte[] message = new PickleProtocol().GenerateMessage([new("metric1", 455, 1471640924)]);
        Assert.Equal("0000002180025d58070000006d6574726963314a5c75b75747407c7000000000008686612e", Convert.ToHexStringLower(message));
    }

    [Fact]
    public void GenerateMessage_EmptyList_IsOneFrameWithAnEmptyListLikeTheOriginal()
    {
        byte[] message = new PickleProtocol().GenerateMessage([]);
        Assert.Equal("0000000480025d2e", Convert.ToHexStringLower(message));
    }

    [Fact]
    public void GenerateMessage_NullTimestamp_UsesTheTimeProvidersNow()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_123));
        byte[] withNow = new PickleProtocol(time).GenerateMessage([new("a", 1)]);
        byte[] explicitTs = new PickleProtocol().GenerateMessage([new("a", 1, 1_700_000_123)]);
        Assert.Equal(explicitTs, withNow);
    }

    [Fact]
    public void GenerateMessage_MoreThanOneMebibyte_IsSplitIntoFramesUnderCarbonsLimit()
    {
        Datapoint[] points = [.. Enumerable.Range(0, 60_000).Select(i => new Datapoint($"split.test.metric{i:D6}", i + 0.5, 1_700_000_000 + i))];
        byte[] message = new PickleProtocol().GenerateMessage(points);
        List<int> frames = FrameLengths(message);
        Assert.True(frames.Count >= 2, $"expected several frames, got {frames.Count}");
        Assert.All(frames, length => Assert.InRange(length, 1, 1 << 20));
    }

    [Fact]
    public async Task GenerateMessage_LargeSplitMessage_PythonUnpicklesEveryPointExactly()
    {
        Datapoint[] points = [.. Enumerable.Range(0, 50_000).Select(i => new Datapoint($"split.m{i}", i / 3.0, 1_700_000_000 + i))];
        byte[] message = new PickleProtocol().GenerateMessage(points);
        string result = await PythonScript.RunAsync(UnpickleFramesScript, Convert.ToHexString(message), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(Expected(points), result.Trim());
    }

    [Fact]
    public async Task GenerateMessage_RandomPoints_CarbonsRestrictedUnpicklerReadsThemBackExactly()
    {
        var random = new Random(1234);
        Datapoint[] points = [.. Enumerable.Range(0, 2_000).Select(i => new Datapoint(
            RandomName(random, i),
            BitConverter.Int64BitsToDouble(random.NextInt64()) is var d && double.IsFinite(d) ? d : random.NextDouble(),
            random.Next(4) == 0 ? random.NextInt64(2_147_483_648, 4_294_967_296) : random.NextInt64(0, 4_000_000_000)))];
        byte[] message = new PickleProtocol().GenerateMessage(points);
        string result = await PythonScript.RunAsync(UnpickleFramesScript, Convert.ToHexString(message), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(Expected(points), result.Trim());
    }

    [Fact]
    public void GenerateMessage_InvalidPoint_ThrowsNamingItAndReturnsNothing()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PickleProtocol().GenerateMessage([new("ok", 1, 1), new("bad name", 2, 2)]));
        Assert.Contains("'bad name'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("datapoint 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GenerateMessage_Null_ThrowsArgumentNullException() =>
        Assert.Throws<ArgumentNullException>(() => new PickleProtocol().GenerateMessage(null!));

    // Unpickles every frame with carbon's own restricted unpickler (carbon.util.SafeUnpickler, what its pickle
    // receiver uses) and prints metric, ts, float.hex(value) per point.
    private const string UnpickleFramesScript = """
        import sys, struct
        from carbon.util import SafeUnpickler as unpickle
        data = bytes.fromhex(sys.stdin.read().strip())
        out = []
        pos = 0
        while pos < len(data):
            (n,) = struct.unpack("!L", data[pos:pos + 4])
            assert n <= 1 << 20, n
            for metric, (ts, value) in unpickle.loads(data[pos + 4:pos + 4 + n]):
                assert type(metric) is str and type(ts) is int and type(value) is float
                out.append("%s %d %s" % (metric.encode("unicode_escape").decode("ascii"), ts, value.hex()))
            pos += 4 + n
        print("\n".join(out))
        """;

    private static string Expected(IEnumerable<Datapoint> points) => string.Join("\n", points.Select(p =>
        $"{PythonEscape(p.Metric)} {p.Timestamp!.Value.ToString(CultureInfo.InvariantCulture)} {PythonHex(p.Value)}"));

    private static string RandomName(Random random, int i)
    {
        string[] parts = ["cpu", "caf\u00e9", "\u4e2d\u6587", "\U0001F600", "x_y-z", "a~b"];
        return $"rnd{i}.{parts[random.Next(parts.Length)]}.{random.Next(1000)}";
    }

    private static string PythonEscape(string s)
    {
        var sb = new System.Text.StringBuilder();
        foreach (System.Text.Rune r in s.EnumerateRunes())
        {
            sb.Append(r.Value switch
            {
                < 0x80 => ((char)r.Value).ToString(),
                < 0x100 => $"\\x{r.Value:x2}",
                < 0x10000 => $"\\u{r.Value:x4}",
                _ => $"\\U{r.Value:x8}",
            });
        }

        return sb.ToString();
    }

    /// <summary>Python's float.hex().</summary>
    private static string PythonHex(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        string sign = bits < 0 ? "-" : string.Empty;
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0 && mantissa == 0)
        {
            return sign + "0x0.0p+0";
        }

        string digits = mantissa.ToString("x13", CultureInfo.InvariantCulture);
        return exponent == 0
            ? $"{sign}0x0.{digits}p-1022"
            : $"{sign}0x1.{digits}p{(exponent - 1023 >= 0 ? "+" : string.Empty)}{exponent - 1023}";
    }

    private static List<int> FrameLengths(byte[] message)
    {
        var lengths = new List<int>();
        for (int pos = 0; pos < message.Length;)
        {
            int n = (int)BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(pos));
            lengths.Add(n);
            pos += 4 + n;
        }

        return lengths;
    }

    private static List<PickleVector> Vectors()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "pickle-vectors.json")));
        return [.. doc.RootElement.EnumerateArray().Select(v => new PickleVector(
            v.GetProperty("name").GetString()!,
            [.. v.GetProperty("points").EnumerateArray().Select(p => new Datapoint(
                p.GetProperty("metric").GetString()!,
                double.Parse(p.GetProperty("value").GetString()!, CultureInfo.InvariantCulture),
                p.GetProperty("timestamp").GetInt64()))],
            v.GetProperty("optimized").GetString()!))];
    }

    private sealed record PickleVector(string Name, Datapoint[] Points, string Optimized);
}
