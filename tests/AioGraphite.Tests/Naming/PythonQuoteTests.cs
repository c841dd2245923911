using AioGraphite.Naming;
using Xunit;

namespace AioGraphite.Tests.Naming;

/// <summary>The internal urllib.parse.quote helper on its own (outputs checked against CPython 3.11).</summary>
public sealed class PythonQuoteTests
{
    [Theory]
    [InlineData("é/ .~", false, "%C3%A9/%20.~")]
    [InlineData("é/ .~", true, "%C3%A9/%20%2E~")]
    [InlineData("a\0\x7F", false, "a%00%7F")]
    [InlineData("AZaz09_.-~/", false, "AZaz09_.-~/")]
    [InlineData("%+&=?#", false, "%25%2B%26%3D%3F%23")]
    [InlineData("😀", false, "%F0%9F%98%80")]
    public void Quote_Text_MatchesPythonQuote(string text, bool escapeDots, string expected)
    {
        int length = PythonQuote.QuotedLength(text, escapeDots, "sectionName");
        char[] buffer = new char[length];

        int written = PythonQuote.Quote(text, buffer, escapeDots, "sectionName");

        Assert.Equal(length, written);
        Assert.Equal(expected, new string(buffer));
    }

    [Theory]
    [InlineData("%C3%A9/%20.~", "é/ .~")]
    [InlineData("%c3%a9", "é")]
    [InlineData("plain", "plain")]
    [InlineData("%F0%9F%98%80", "😀")]
    public void Unquote_QuotedText_ReturnsTheText(string quoted, string expected)
    {
        Assert.Equal(expected, PythonQuote.Unquote(quoted));
    }

    [Fact]
    public void Unquote_LongTextWithEscapes_UsesPooledBuffersCorrectly()
    {
        string text = string.Concat(Enumerable.Repeat("%C3%A9x", 200));

        Assert.Equal(string.Concat(Enumerable.Repeat("éx", 200)), PythonQuote.Unquote(text));
    }
}
