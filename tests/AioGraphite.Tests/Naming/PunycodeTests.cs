using AioGraphite.Naming;
using Xunit;

namespace AioGraphite.Tests.Naming;

/// <summary>The internal raw-punycode helper on its own.</summary>
public sealed class PunycodeTests
{
    /// <summary>RFC 3492 section 7.1 samples (case annotations dropped, as Python's codec ignores them).</summary>
    public static TheoryData<string, string> Rfc3492Samples() => new()
    {
        { "\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631\u0628\u064A\u061F", "egbpdaj6bu4bxfgehfvwxn" },
        { "\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587", "ihqwcrb4cv8a8dqg056pqjye" },
        { "3\u5E74B\u7D44\u91D1\u516B\u5148\u751F", "3B-ww4c5e180e575a65lsy2b" },
        { "-> $1.00 <-", "-> $1.00 <--" },
    };

    [Theory]
    [MemberData(nameof(Rfc3492Samples))]
    public void TryEncode_Rfc3492Sample_WritesTheRfcOutput(string text, string punycode)
    {
        Span<char> buffer = stackalloc char[64];

        Assert.True(Punycode.TryEncode(text, buffer, out int written, "sectionName"));
        Assert.Equal(punycode, buffer[..written].ToString());
    }

    [Theory]
    [MemberData(nameof(Rfc3492Samples))]
    public void Decode_Rfc3492Sample_ReturnsTheText(string text, string punycode)
    {
        Assert.Equal(text, Punycode.Decode(punycode, punycode));
    }

    [Fact]
    public void TryEncode_DestinationTooSmall_ReturnsFalseUntilItFits()
    {
        const string Text = "a😀bé中";
        Span<char> large = stackalloc char[64];
        Assert.True(Punycode.TryEncode(Text, large, out int needed, "sectionName"));

        for (int size = 0; size < needed; size++)
        {
            Assert.False(Punycode.TryEncode(Text, new char[size], out int written, "sectionName"), $"size {size}");
            Assert.Equal(0, written);
        }

        char[] exact = new char[needed];
        Assert.True(Punycode.TryEncode(Text, exact, out int exactWritten, "sectionName"));
        Assert.Equal(large[..needed].ToString(), new string(exact, 0, exactWritten));
    }

    [Fact]
    public void TryEncode_LargestCodePointAfterManyBasicOnes_RoundTrips()
    {
        string text = new string('a', 100_000) + char.ConvertFromUtf32(0x10FFFF) + "\u0080";
        char[] buffer = new char[text.Length + 64];

        Assert.True(Punycode.TryEncode(text, buffer, out int written, "sectionName"));
        string punycode = new(buffer, 0, written);
        Assert.Equal(text, Punycode.Decode(punycode, punycode));
    }
}
