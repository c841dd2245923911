using AioGraphite.Cli.Input;
using Xunit;

namespace AioGraphite.Cli.Tests.Input;

public sealed class CarbonLineReaderTests
{
    public static TheoryData<int> BufferSizes() => new(1, 2, 3, 7, 64 * 1024);

    [Theory]
    [MemberData(nameof(BufferSizes))]
    public async Task ReadLineAsync_NumbersLinesFromOne_AndSplitsOnNewlineOnly(int bufferSize)
    {
        var lines = await ReadAllAsync("a 1\nb 2\r\n\nc\r3\nlast 4", bufferSize);
        Assert.Equal(
            [(1L, "a 1"), (2L, "b 2\r"), (3L, ""), (4L, "c\r3"), (5L, "last 4")],
            lines.Select(l => (l.Number, l.Text)));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("\n", 1)]
    [InlineData("x\n", 1)]
    [InlineData("x", 1)]
    [InlineData("x\n\n", 2)]
    public async Task ReadLineAsync_CountsLinesLikeAnEditor(string text, int count)
    {
        Assert.Equal(count, (await ReadAllAsync(text, 4)).Count);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(64 * 1024)]
    public async Task ReadLineAsync_OverlongLine_IsCutAndFlagged_AndTheNextLineIsIntact(int bufferSize)
    {
        string longLine = new('x', CarbonLineReader.MaxLineChars + 10);
        var lines = await ReadAllAsync($"a 1\n{longLine}\nb 2\n", bufferSize);
        Assert.Equal(3, lines.Count);
        Assert.False(lines[0].TooLong);
        Assert.True(lines[1].TooLong);
        Assert.Equal(CarbonLineReader.MaxLineChars, lines[1].Text.Length);
        Assert.Equal((3L, "b 2", false), lines[2]);
    }

    private static async Task<List<(long Number, string Text, bool TooLong)>> ReadAllAsync(string text, int bufferSize)
    {
        var reader = new CarbonLineReader(new StringReader(text), bufferSize);
        var lines = new List<(long, string, bool)>();
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            lines.Add((reader.LineNumber, line, reader.LastLineTooLong));
        }

        return lines;
    }
}
