using Xunit;

namespace AioGraphite.Cli.Tests.Commands;

public sealed class EncodeDecodeTests
{
    [Fact]
    public async Task Encode_PrintsOneEncodedSectionPerLine()
    {
        CliResult result = await CliRun.RunAsync(["encode", "abc @edf#", "café", "中文", "_.", "velo@zillow.com"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.Equal(["abc%20%40edf%23-", "caf-dma", "fiq228c", "_%2E-", "velo%40zillow%2Ecom-"], result.OutLines);
    }

    [Fact]
    public async Task Encode_Join_PrintsTheCleanAndJoinedPath()
    {
        CliResult result = await CliRun.RunAsync(["encode", "--join", "sproc performance", "velo@zillow.com", "::EH12"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["sproc%20performance-.velo%40zillow%2Ecom-.%3A%3AEH12-"], result.OutLines);
    }

    [Fact]
    public async Task Decode_PrintsOneDecodedTextPerLine()
    {
        CliResult result = await CliRun.RunAsync(["decode", "abc%20%40edf%23-", "caf-dma", "fiq228c"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.Equal(["abc @edf#", "café", "中文"], result.OutLines);
    }

    [Fact]
    public async Task Decode_RoundTripsEncode()
    {
        string[] texts = ["a b", "ü.ö", "😀", "-", "-x", "-h", "--join", "x/y"];
        CliResult encoded = await CliRun.RunAsync(["encode", "--", .. texts]);
        CliResult decoded = await CliRun.RunAsync(["decode", "--", .. encoded.OutLines]);
        Assert.Equal(texts, decoded.OutLines);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("%zz")]
    [InlineData("é")]
    [InlineData("abc-!")]
    public async Task Decode_InvalidEncoding_ExitsTwoWithOneLine_AndPrintsNothing(string text)
    {
        CliResult result = await CliRun.RunAsync(["decode", "caf-dma", text]);
        Assert.Equal(2, result.ExitCode);
        string line = result.SingleErrorLine();
        Assert.StartsWith($"aiographite decode: Cannot decode '{text}': ", line, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }
}
