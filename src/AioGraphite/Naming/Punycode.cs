using System.Buffers;
using System.Globalization;
using System.Text;

namespace AioGraphite.Naming;

/// <summary>
/// Raw RFC 3492 punycode over Unicode code points, exactly as Python's <c>'punycode'</c> codec does it:
/// no IDNA (<c>xn--</c> prefix, nameprep, case folding, 63-character limit), lower-case digits on output,
/// case-insensitive digits on input, and a <c>-</c> delimiter whenever there is at least one basic (ASCII)
/// code point, even if nothing follows it.
/// </summary>
internal static class Punycode
{
    private const int Base = 36;
    private const int TMin = 1;
    private const int TMax = 26;
    private const int Skew = 38;
    private const int Damp = 700;
    private const int InitialBias = 72;
    private const int InitialN = 0x80;
    private const int MaxCodePoint = 0x10FFFF;
    private const int StackLimit = 256;

    /// <summary>Returns whether every UTF-16 unit of <paramref name="text"/> is ASCII (a basic code point).</summary>
    /// <param name="text">The text to scan.</param>
    /// <returns><see langword="true"/> when the text is pure ASCII, so its punycode is the text plus a <c>-</c>.</returns>
    internal static bool IsAllBasic(ReadOnlySpan<char> text) => Ascii.IsValid(text);

    /// <summary>
    /// Writes the raw punycode of <paramref name="input"/> into <paramref name="destination"/>.
    /// </summary>
    /// <param name="input">The text to encode; it must be well-formed UTF-16.</param>
    /// <param name="destination">Where the ASCII output goes.</param>
    /// <param name="written">How many characters were written; 0 when the destination was too small.</param>
    /// <param name="paramName">The argument name to report when <paramref name="input"/> holds a lone surrogate.</param>
    /// <returns><see langword="false"/> when <paramref name="destination"/> was too small (nothing useful was written).</returns>
    /// <exception cref="ArgumentException"><paramref name="input"/> contains a lone surrogate.</exception>
    internal static bool TryEncode(ReadOnlySpan<char> input, Span<char> destination, out int written, string paramName)
    {
        written = 0;
        int[]? rented = null;
        Span<int> codePoints = input.Length <= StackLimit
            ? stackalloc int[StackLimit]
            : (rented = ArrayPool<int>.Shared.Rent(input.Length));
        try
        {
            int count = ToCodePoints(input, codePoints, paramName);
            return TryEncodeCodePoints(codePoints[..count], destination, out written);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Decodes raw punycode, as Python's <c>bytes.decode('punycode')</c> does: split at the last <c>-</c>
    /// (no <c>-</c>: everything is the extended part), digits case-insensitive.
    /// </summary>
    /// <param name="text">The punycode text.</param>
    /// <param name="inputForMessages">The text to quote in error messages (what the caller was given).</param>
    /// <returns>The decoded text.</returns>
    /// <exception cref="FormatException">The text is not valid punycode, or decodes to something that is not a sequence of Unicode scalar values.</exception>
    internal static string Decode(ReadOnlySpan<char> text, string inputForMessages)
    {
        int delimiter = text.LastIndexOf('-');
        ReadOnlySpan<char> basic = delimiter < 0 ? [] : text[..delimiter];
        ReadOnlySpan<char> extended = delimiter < 0 ? text : text[(delimiter + 1)..];

        int nonAscii = text.IndexOfAnyExceptInRange('\0', '\x7F');
        if (nonAscii >= 0)
        {
            throw Invalid(
                inputForMessages,
                string.Create(CultureInfo.InvariantCulture, $"its punycode form contains the non-ASCII character U+{(int)text[nonAscii]:X4} at index {nonAscii}; punycode is ASCII only"));
        }

        if (extended.IsEmpty)
        {
            return basic.ToString();
        }

        // Every inserted code point consumes at least one digit, so this bounds the output.
        int capacity = basic.Length + extended.Length;
        int[]? rented = null;
        Span<int> output = capacity <= StackLimit
            ? stackalloc int[StackLimit]
            : (rented = ArrayPool<int>.Shared.Rent(capacity));
        try
        {
            int length = 0;
            foreach (char c in basic)
            {
                output[length++] = c;
            }

            length = DecodeExtended(extended, output, length, inputForMessages);
            return FromCodePoints(output[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    private static int DecodeExtended(ReadOnlySpan<char> extended, Span<int> output, int length, string inputForMessages)
    {
        int n = InitialN;
        long i = 0;
        int bias = InitialBias;
        int position = 0;
        while (position < extended.Length)
        {
            long oldI = i;
            long w = 1;

            // Any i at or above this limit puts n beyond U+10FFFF: stop there (also keeps i and w far from long overflow).
            long limit = ((long)(MaxCodePoint + 1 - n) * (length + 1)) - 1;
            for (int k = Base; ; k += Base)
            {
                if (position >= extended.Length)
                {
                    throw Invalid(inputForMessages, "its punycode form ends in the middle of a delta (truncated input)");
                }

                char c = extended[position++];
                int digit = DigitValue(c);
                if (digit < 0)
                {
                    throw Invalid(
                        inputForMessages,
                        string.Create(CultureInfo.InvariantCulture, $"'{c}' is not a punycode digit (a-z, A-Z, 0-9)"));
                }

                i += digit * w;
                if (i > limit)
                {
                    throw Invalid(inputForMessages, "numeric overflow: a punycode delta goes beyond the last code point U+10FFFF");
                }

                int t = Threshold(k, bias);
                if (digit < t)
                {
                    break;
                }

                w *= Base - t;
            }

            bias = Adapt(i - oldI, length + 1, oldI == 0);
            n += (int)(i / (length + 1));
            i %= length + 1;
            if (n is >= 0xD800 and <= 0xDFFF)
            {
                throw Invalid(
                    inputForMessages,
                    string.Create(CultureInfo.InvariantCulture, $"it decodes to the surrogate code point U+{n:X4}, which is not a Unicode scalar value"));
            }

            int at = (int)i;
            output[at..length].CopyTo(output[(at + 1)..]);
            output[at] = n;
            length++;
            i++;
        }

        return length;
    }

    private static bool TryEncodeCodePoints(ReadOnlySpan<int> codePoints, Span<char> destination, out int written)
    {
        written = 0;
        int output = 0;
        foreach (int cp in codePoints)
        {
            if (cp < InitialN)
            {
                if (output >= destination.Length)
                {
                    return false;
                }

                destination[output++] = (char)cp;
            }
        }

        int basicCount = output;
        if (basicCount > 0)
        {
            if (output >= destination.Length)
            {
                return false;
            }

            destination[output++] = '-';
        }

        int n = InitialN;
        long delta = 0;
        int bias = InitialBias;
        int handled = basicCount;
        while (handled < codePoints.Length)
        {
            int m = int.MaxValue;
            foreach (int cp in codePoints)
            {
                if (cp >= n && cp < m)
                {
                    m = cp;
                }
            }

            // At most 0x110000 * (int.MaxValue + 1): no overflow in a long.
            delta += (long)(m - n) * (handled + 1);
            n = m;
            foreach (int cp in codePoints)
            {
                if (cp < n)
                {
                    delta++;
                }
                else if (cp == n)
                {
                    long q = delta;
                    for (int k = Base; ; k += Base)
                    {
                        int t = Threshold(k, bias);
                        if (q < t)
                        {
                            break;
                        }

                        if (output >= destination.Length)
                        {
                            return false;
                        }

                        destination[output++] = Digit((int)(t + ((q - t) % (Base - t))));
                        q = (q - t) / (Base - t);
                    }

                    if (output >= destination.Length)
                    {
                        return false;
                    }

                    destination[output++] = Digit((int)q);
                    bias = Adapt(delta, handled + 1, handled == basicCount);
                    delta = 0;
                    handled++;
                }
            }

            delta++;
            n++;
        }

        written = output;
        return true;
    }

    private static int ToCodePoints(ReadOnlySpan<char> input, Span<int> codePoints, string paramName)
    {
        int count = 0;
        for (int index = 0; index < input.Length; index++)
        {
            char c = input[index];
            if (!char.IsSurrogate(c))
            {
                codePoints[count++] = c;
            }
            else if (char.IsHighSurrogate(c) && index + 1 < input.Length && char.IsLowSurrogate(input[index + 1]))
            {
                codePoints[count++] = char.ConvertToUtf32(c, input[index + 1]);
                index++;
            }
            else
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The text contains a lone surrogate U+{(int)c:X4} at index {index}: it is not valid UTF-16, so it has no Unicode code point to encode."),
                    paramName);
            }
        }

        return count;
    }

    private static string FromCodePoints(ReadOnlySpan<int> codePoints)
    {
        int utf16Length = codePoints.Length;
        foreach (int cp in codePoints)
        {
            if (cp > 0xFFFF)
            {
                utf16Length++;
            }
        }

        return string.Create(utf16Length, codePoints, static (span, points) =>
        {
            int at = 0;
            foreach (int cp in points)
            {
                at += new Rune(cp).EncodeToUtf16(span[at..]);
            }
        });
    }

    private static int Threshold(int k, int bias) => k <= bias ? TMin : k >= bias + TMax ? TMax : k - bias;

    private static int Adapt(long delta, int numPoints, bool firstTime)
    {
        delta = firstTime ? delta / Damp : delta / 2;
        delta += delta / numPoints;
        int k = 0;
        while (delta > ((Base - TMin) * TMax) / 2)
        {
            delta /= Base - TMin;
            k += Base;
        }

        return (int)(k + (((Base - TMin + 1) * delta) / (delta + Skew)));
    }

    private static char Digit(int value) => (char)(value < 26 ? 'a' + value : '0' + (value - 26));

    private static int DigitValue(char c) => c switch
    {
        >= 'a' and <= 'z' => c - 'a',
        >= 'A' and <= 'Z' => c - 'A',
        >= '0' and <= '9' => c - '0' + 26,
        _ => -1,
    };

    private static FormatException Invalid(string input, string reason) =>
        new(string.Create(CultureInfo.InvariantCulture, $"'{input}' is not a valid GraphiteEncoder encoding: {reason}."));
}
