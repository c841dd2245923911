using Xunit;

namespace AioGraphite.Tests.Naming;

/// <summary>Text that is not a valid encoding gives a clear <see cref="FormatException"/>; bad UTF-16 is refused.</summary>
public sealed class GraphiteEncoderInvalidInputTests
{
    public static TheoryData<string, string> InvalidEncodings() => new()
    {
        { "%", "not followed by two hexadecimal digits" },
        { "abc%2", "not followed by two hexadecimal digits" },
        { "%G1", "not followed by two hexadecimal digits" },
        { "%G1-", "not followed by two hexadecimal digits" },
        { "%FF", "not valid UTF-8" },
        { "%C3%28-", "not valid UTF-8" },
        { "%ED%A0%80", "not valid UTF-8" },
        { "%C3%A9", "non-ASCII" },
        { "a-!", "not a punycode digit" },
        { "a-b%20", "not a punycode digit" },
        { "é", "non-ASCII" },
        { "caf-dma\u00A0", "non-ASCII" },
        { "99999999999999999", "overflow" },
        { "99999999a", "overflow" },
        { "a-b", "truncated" },
        { "9", "truncated" },
        { "ib9b", "surrogate code point U+D800" },
        { "a-rc4g", "surrogate code point U+D800" },
    };

    [Theory]
    [MemberData(nameof(InvalidEncodings))]
    public void Decode_InvalidEncoding_ThrowsFormatExceptionQuotingTheInput(string encoded, string reason)
    {
        FormatException exception = Assert.Throws<FormatException>(() => GraphiteEncoder.Decode(encoded));

        Assert.Contains($"'{encoded}'", exception.Message, StringComparison.Ordinal);
        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Text with lone surrogates and the index of the first one. Lone surrogates cannot travel through attribute
    /// arguments (metadata is UTF-8), so the theory takes an index into this table.
    /// </summary>
    private static readonly (string Text, int Index)[] LoneSurrogates =
    [
        ("a\uD800", 1),
        ("\uDC00x", 0),
        ("ab\uDC00\uD800", 2),
        ("é\uD83D", 1),
        ("😀\uDE00", 2),
        (new string('a', 300) + "\uD800", 300),
        (new string('é', 300) + "\uDFFF", 300),
    ];

    public static TheoryData<int> LoneSurrogateCases() => new(Enumerable.Range(0, LoneSurrogates.Length));

    [Theory]
    [MemberData(nameof(LoneSurrogateCases))]
    public void Encode_LoneSurrogate_ThrowsArgumentExceptionGivingItsIndex(int @case)
    {
        (string sectionName, int index) = LoneSurrogates[@case];
        Assert.True(char.IsSurrogate(sectionName[index]), "the test data lost its lone surrogate");

        ArgumentException exception = Assert.Throws<ArgumentException>(() => GraphiteEncoder.Encode(sectionName));

        Assert.Equal("sectionName", exception.ParamName);
        Assert.Contains($"index {index}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CleanAndJoinMetricParts_PartWithLoneSurrogate_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => GraphiteEncoder.CleanAndJoinMetricParts(["ok", "bad\uD800"]));
    }

    [Fact]
    public void Decode_LowercaseHexEscapes_AreAcceptedLikePythonUnquote()
    {
        Assert.Equal("a.b c", GraphiteEncoder.Decode("a%2eb%20c-"));
    }

    [Fact]
    public void Decode_UppercasePunycodeDigits_DecodeLikeLowercaseOnes()
    {
        Assert.Equal("CAFé", GraphiteEncoder.Decode("CAF-DMA"));
        Assert.Equal("中文", GraphiteEncoder.Decode("FIQ228C"));
    }

    [Fact]
    public void Decode_PlusSign_StaysAPlusSign()
    {
        Assert.Equal("a+b", GraphiteEncoder.Decode("a+b-"));
    }

    [Theory]
    [InlineData("-", "")]
    [InlineData("abc-", "abc")]
    [InlineData("xn--", "xn-")]
    [InlineData("-dma", "\u0227")]
    public void Decode_TextPythonAlsoAccepts_DecodesLikePython(string encoded, string expected)
    {
        Assert.Equal(expected, GraphiteEncoder.Decode(encoded));
    }
}
