using Xunit;

namespace AioGraphite.Tests.Naming;

/// <summary>Every vector produced by the Python original holds byte for byte.</summary>
public sealed class GraphiteEncoderConformanceTests
{
    public static IEnumerable<TheoryDataRow<string, string>> EncoderVectors() => ConformanceVectors.Encoder();

    public static IEnumerable<TheoryDataRow<string[], string>> JoinVectors() => ConformanceVectors.Join();

    [Theory]
    [MemberData(nameof(EncoderVectors))]
    public void Encode_PythonVectorInput_ReturnsExactlyWhatPythonWrote(string input, string encoded)
    {
        Assert.Equal(encoded, GraphiteEncoder.Encode(input));
    }

    [Theory]
    [MemberData(nameof(EncoderVectors))]
    public void Decode_PythonVectorOutput_ReturnsTheOriginalInput(string input, string encoded)
    {
        Assert.Equal(input, GraphiteEncoder.Decode(encoded));
    }

    [Theory]
    [MemberData(nameof(JoinVectors))]
    public void CleanAndJoinMetricParts_PythonVectorParts_ReturnsExactlyWhatPythonWrote(string[] parts, string joined)
    {
        Assert.Equal(joined, GraphiteEncoder.CleanAndJoinMetricParts(parts));
    }

    [Fact]
    public void ConformanceFiles_AsShipped_HoldAllVectors()
    {
        Assert.Equal(61, ConformanceVectors.Encoder().Count());
        Assert.Equal(5, ConformanceVectors.Join().Count());
    }
}
