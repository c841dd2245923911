using System.Globalization;

namespace AioGraphite.Cli.Input;

/// <summary>
/// Parses numbers the way Python's <c>float(str)</c> does (carbon parses both fields of a plaintext line with it):
/// an optional sign, digits with single <c>_</c> between them, an optional fraction and exponent, any Unicode decimal
/// digits, invariant culture. <c>nan</c>, <c>inf</c> and <c>infinity</c> (any case) are numbers to Python but not
/// finite ones; AioGraphite refuses them, so they are told apart from text that is no number at all.
/// </summary>
internal static class PythonFloat
{
    /// <summary>Longest text taken for a number (a longer one is no value anyone sends).</summary>
    private const int MaxChars = 4096;

    /// <summary>The outcome of <see cref="TryParse"/>.</summary>
    public enum Result
    {
        /// <summary>A finite number.</summary>
        Finite = 0,

        /// <summary>Not a number in Python's grammar.</summary>
        Invalid = 1,

        /// <summary>NaN, infinity, or a number too large for a double.</summary>
        NotFinite = 2,
    }

    /// <summary>Parses <paramref name="text"/> (surrounding whitespace allowed, as in Python).</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The number when the result is <see cref="Result.Finite"/>.</param>
    /// <returns>Whether it is a finite number, a non-finite one, or none at all.</returns>
    public static Result TryParse(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        text = PythonWhitespace.Trim(text);
        if (text.IsEmpty || text.Length > MaxChars)
        {
            return Result.Invalid;
        }

        ReadOnlySpan<char> unsigned = text[0] is '+' or '-' ? text[1..] : text;
        if (unsigned.Equals("nan", StringComparison.OrdinalIgnoreCase)
            || unsigned.Equals("inf", StringComparison.OrdinalIgnoreCase)
            || unsigned.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            return Result.NotFinite;
        }

        Span<char> ascii = stackalloc char[text.Length];
        int length = 0;
        int i = 0;
        if (text[0] is '+' or '-')
        {
            ascii[length++] = text[0];
            i++;
        }

        int integerDigits = ReadDigitPart(text, ref i, ascii, ref length);
        if (integerDigits < 0)
        {
            return Result.Invalid;
        }

        int fractionDigits = 0;
        if (i < text.Length && text[i] == '.')
        {
            ascii[length++] = '.';
            i++;
            fractionDigits = ReadDigitPart(text, ref i, ascii, ref length);
            if (fractionDigits < 0)
            {
                return Result.Invalid;
            }
        }

        if (integerDigits == 0 && fractionDigits == 0)
        {
            return Result.Invalid;
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            ascii[length++] = 'e';
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                ascii[length++] = text[i++];
            }

            if (ReadDigitPart(text, ref i, ascii, ref length) <= 0)
            {
                return Result.Invalid;
            }
        }

        if (i != text.Length)
        {
            return Result.Invalid;
        }

        value = double.Parse(ascii[..length], NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(value) ? Result.Finite : Result.NotFinite;
    }

    /// <summary>
    /// Reads <c>digit (["_"] digit)*</c> into <paramref name="ascii"/> as ASCII digits; returns the number of digits
    /// read (0 when none), or -1 when an underscore is not between two digits.
    /// </summary>
    private static int ReadDigitPart(ReadOnlySpan<char> text, ref int i, Span<char> ascii, ref int length)
    {
        int digits = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '_')
            {
                if (digits == 0 || i + 1 >= text.Length || !char.IsDigit(text[i + 1]))
                {
                    return -1;
                }

                i++;
                continue;
            }

            if (!char.IsDigit(c))
            {
                break;
            }

            ascii[length++] = (char)('0' + CharUnicodeInfo.GetDecimalDigitValue(c));
            digits++;
            i++;
        }

        return digits;
    }
}
