using Xunit;

namespace AioGraphite.Tests.Naming;

/// <summary>The encoder cases of the Python original's own test suite, ported one for one.</summary>
public sealed class GraphiteEncoderOriginalSuiteTests
{
    /// <summary>The 14 metric names of the original's encode/decode round-trip test.</summary>
    public static TheoryData<string> OriginalNames() => new(
        "abc_edf",
        "abc @edf#",
        "abc.@edf#",
        "abc_ @ e_df#",
        "a.b.c_ @ e_df#",
        "a.b.___c d _feg",
        "_ . .fda",
        "_.",
        "汉 字.汉*字",
        "%2D%2Ea bcd",
        "_hello world.%2E",
        "www.zillow.com.%2Ehello%2D",
        string.Empty,
        new string('a', 128));

    [Theory]
    [MemberData(nameof(OriginalNames))]
    public void DecodeOfEncode_OriginalSuiteName_ReturnsTheName(string name)
    {
        string encoded = GraphiteEncoder.Encode(name);

        Assert.Equal(name, GraphiteEncoder.Decode(encoded));
    }

    [Fact]
    public void OriginalNames_AsPorted_AreTheFirstFourteenConformanceInputs()
    {
        IReadOnlyList<string> inputs = ConformanceVectors.EncoderInputs();
        Assert.Equal(inputs.Take(14), OriginalNames().Select(row => row.Data));
    }

    [Fact]
    public void Encode_Null_ThrowsArgumentNullException()
    {
        ArgumentNullException exception = Assert.Throws<ArgumentNullException>(() => GraphiteEncoder.Encode(null!));
        Assert.Equal("sectionName", exception.ParamName);
    }

    [Fact]
    public void Decode_Null_ThrowsArgumentNullException()
    {
        ArgumentNullException exception = Assert.Throws<ArgumentNullException>(() => GraphiteEncoder.Decode(null!));
        Assert.Equal("encoded", exception.ParamName);
    }

    [Fact]
    public void CleanAndJoinMetricParts_OriginalSuiteExamples_ReturnTheOriginalsPaths()
    {
        Assert.Equal(
            "sproc%20performance-.velo%40zillow%2Ecom-.%3A%3AEH12-",
            GraphiteEncoder.CleanAndJoinMetricParts(["sproc performance", "velo@zillow.com", "::EH12"]));
        Assert.Equal(
            "dit_400-.zpid%40zillow%2Ecom-.EHT%3A%3Adisk_usage_per_host-",
            GraphiteEncoder.CleanAndJoinMetricParts(["dit_400", "zpid@zillow.com", "EHT::disk_usage_per_host"]));
    }

    [Fact]
    public void CleanAndJoinMetricParts_Null_ThrowsArgumentNullException()
    {
        ArgumentNullException exception = Assert.Throws<ArgumentNullException>(() => GraphiteEncoder.CleanAndJoinMetricParts(null!));
        Assert.Equal("metricParts", exception.ParamName);
    }

    [Fact]
    public void CleanAndJoinMetricParts_NullElement_ThrowsArgumentNullExceptionNamingTheElement()
    {
        ArgumentNullException exception = Assert.Throws<ArgumentNullException>(
            () => GraphiteEncoder.CleanAndJoinMetricParts(["ok", null!, "fine"]));

        Assert.Equal("metricParts", exception.ParamName);
        Assert.Contains("metricParts[1]", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CleanAndJoinMetricParts_SinglePart_ReturnsThatPartEncoded()
    {
        Assert.Equal("caf-dma", GraphiteEncoder.CleanAndJoinMetricParts(["café"]));
    }

    [Fact]
    public void CleanAndJoinMetricParts_LazySequence_IsEnumeratedOnce()
    {
        int enumerations = 0;
        IEnumerable<string> Parts()
        {
            enumerations++;
            yield return "a";
            yield return "b.c";
        }

        Assert.Equal("a-.b%2Ec-", GraphiteEncoder.CleanAndJoinMetricParts(Parts()));
        Assert.Equal(1, enumerations);
    }
}
