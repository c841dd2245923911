using CsCheck;
using Xunit;

namespace AioGraphite.Tests.Naming;

/// <summary>Properties of the encoding checked on random text (CsCheck).</summary>
public sealed class GraphiteEncoderPropertyTests
{
    private const long Iterations = 2_000;

    /// <summary>Code points weighted towards the troublesome ones: ASCII controls, '-', '%', '.', '/', astral planes.</summary>
    private static readonly Gen<int> CodePoint = Gen.Frequency(
        (6, Gen.Int[0x20, 0x7E]),
        (2, Gen.Int[0x00, 0x1F]),
        (3, Gen.OneOf('-', '%', '.', '/', '~', '_', ' ', '\x7F').Select(c => (int)c)),
        (2, Gen.Int[0x80, 0x7FF]),
        (2, Gen.Int[0x800, 0xD7FF]),
        (1, Gen.Int[0xE000, 0xFFFF]),
        (2, Gen.Int[0x10000, 0x10FFFF]));

    /// <summary>Well-formed UTF-16 strings of 0 to 24 code points.</summary>
    internal static readonly Gen<string> Text =
        CodePoint.Array[0, 24].Select(points => string.Concat(points.Select(char.ConvertFromUtf32)));

    [Fact]
    public void DecodeOfEncode_RandomUnicodeText_ReturnsTheText()
    {
        Text.Sample(
            text => Assert.Equal(text, GraphiteEncoder.Decode(GraphiteEncoder.Encode(text))),
            iter: Iterations);
    }

    [Fact]
    public void Encode_RandomUnicodeText_WritesOnlySafeCharactersAndNeverADot()
    {
        Text.Sample(
            text =>
            {
                string encoded = GraphiteEncoder.Encode(text);
                foreach (char c in encoded)
                {
                    Assert.True(
                        char.IsAsciiLetterOrDigit(c) || c is '_' or '~' or '/' or '%' or '-',
                        $"Encode({text}) = {encoded} holds the character U+{(int)c:X4}");
                }

                Assert.Equal(text.Length == 0, encoded.Length == 0);
            },
            iter: Iterations);
    }

    [Fact]
    public void CleanAndJoinMetricParts_RandomParts_SplitsBackOnDotsIntoTheParts()
    {
        Text.Array[1, 6].Sample(
            parts =>
            {
                string joined = GraphiteEncoder.CleanAndJoinMetricParts(parts);
                string[] sections = joined.Split('.');
                Assert.Equal(parts.Length, sections.Length);
                for (int i = 0; i < parts.Length; i++)
                {
                    Assert.Equal(parts[i], GraphiteEncoder.Decode(sections[i]));
                }
            },
            iter: Iterations);
    }

    [Fact]
    public void Decode_RandomAsciiGarbage_EitherDecodesOrThrowsFormatException()
    {
        Gen<string> garbage = Gen.Frequency(
                (8, Gen.Int[0x20, 0x7E]),
                (2, Gen.OneOf('-', '%', '9', 'z', 'A').Select(c => (int)c)),
                (1, Gen.Int[0x00, 0x1F]),
                (1, Gen.Int[0x80, 0x10FFFF].Where(cp => cp is < 0xD800 or > 0xDFFF)))
            .Array[0, 40]
            .Select(points => string.Concat(points.Select(char.ConvertFromUtf32)));

        garbage.Sample(
            text =>
            {
                string decoded;
                try
                {
                    decoded = GraphiteEncoder.Decode(text);
                }
                catch (FormatException exception)
                {
                    Assert.Contains($"'{text}'", exception.Message, StringComparison.Ordinal);
                    return;
                }

                // Whatever decodes is well-formed text that encodes again without error.
                _ = GraphiteEncoder.Encode(decoded);
            },
            iter: Iterations * 2);
    }
}
