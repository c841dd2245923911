using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace AioGraphite.Naming;

/// <summary>
/// Python's <c>urllib.parse.quote</c> with its defaults (safe: <c>A-Z a-z 0-9 _ . - ~</c> and <c>/</c>; every
/// other byte of the UTF-8 form becomes <c>%XX</c> with upper-case hex), and a strict inverse of it.
/// </summary>
internal static class PythonQuote
{
    private const int StackLimit = 256;

    private static readonly SearchValues<char> Safe =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/");

    private static readonly SearchValues<char> SafeExceptDot =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-~/");

    /// <summary>Returns the length of <c>quote(text)</c>, or of <c>quote(text).replace('.', '%2E')</c>.</summary>
    /// <param name="text">The text to quote; it must be well-formed UTF-16.</param>
    /// <param name="escapeDots">Whether <c>.</c> is escaped as <c>%2E</c> too.</param>
    /// <param name="paramName">The argument name to report when <paramref name="text"/> holds a lone surrogate.</param>
    /// <returns>The number of characters <see cref="Quote"/> writes.</returns>
    /// <exception cref="ArgumentException"><paramref name="text"/> contains a lone surrogate.</exception>
    internal static int QuotedLength(ReadOnlySpan<char> text, bool escapeDots, string paramName)
    {
        SearchValues<char> safe = escapeDots ? SafeExceptDot : Safe;
        int length = text.Length;
        int index = text.IndexOfAnyExcept(safe);
        while (index >= 0)
        {
            char c = text[index];
            int consumed = 1;
            if (c < 0x80)
            {
                length += 2;
            }
            else
            {
                Rune rune = ReadRune(text[index..], index, paramName, out consumed);
                length += (3 * rune.Utf8SequenceLength) - consumed;
            }

            int next = text[(index + consumed)..].IndexOfAnyExcept(safe);
            index = next < 0 ? -1 : index + consumed + next;
        }

        return length;
    }

    /// <summary>Writes <c>quote(text)</c>, or <c>quote(text).replace('.', '%2E')</c>, into <paramref name="destination"/>.</summary>
    /// <param name="text">The text to quote; it must be well-formed UTF-16.</param>
    /// <param name="destination">Where to write; at least <see cref="QuotedLength"/> characters.</param>
    /// <param name="escapeDots">Whether <c>.</c> is escaped as <c>%2E</c> too.</param>
    /// <param name="paramName">The argument name to report when <paramref name="text"/> holds a lone surrogate.</param>
    /// <returns>The number of characters written.</returns>
    /// <exception cref="ArgumentException"><paramref name="text"/> contains a lone surrogate.</exception>
    internal static int Quote(ReadOnlySpan<char> text, Span<char> destination, bool escapeDots, string paramName)
    {
        SearchValues<char> safe = escapeDots ? SafeExceptDot : Safe;
        Span<byte> utf8 = stackalloc byte[4];
        int written = 0;
        int index = 0;
        while (index < text.Length)
        {
            int run = text[index..].IndexOfAnyExcept(safe);
            if (run < 0)
            {
                run = text.Length - index;
            }

            text.Slice(index, run).CopyTo(destination[written..]);
            written += run;
            index += run;
            if (index >= text.Length)
            {
                break;
            }

            char c = text[index];
            if (c < 0x80)
            {
                written += WriteEscape((byte)c, destination[written..]);
                index++;
            }
            else
            {
                Rune rune = ReadRune(text[index..], index, paramName, out int consumed);
                int count = rune.EncodeToUtf8(utf8);
                foreach (byte b in utf8[..count])
                {
                    written += WriteEscape(b, destination[written..]);
                }

                index += consumed;
            }
        }

        return written;
    }

    /// <summary>
    /// The strict inverse of <see cref="Quote"/>: every <c>%XX</c> (hex digits in either case) becomes the byte it names,
    /// and the bytes must form valid UTF-8. Unlike Python's lenient <c>unquote</c>, a malformed escape is an error,
    /// and so is any non-ASCII character (quote never writes one).
    /// </summary>
    /// <param name="text">The quoted text.</param>
    /// <returns>The unquoted text (<paramref name="text"/> itself when it holds no <c>%</c>).</returns>
    /// <exception cref="FormatException">A malformed escape, a non-ASCII character, or bytes that are not UTF-8.</exception>
    internal static string Unquote(string text)
    {
        int nonAscii = text.AsSpan().IndexOfAnyExceptInRange('\0', '\x7F');
        if (nonAscii >= 0)
        {
            throw Invalid(
                text,
                string.Create(CultureInfo.InvariantCulture, $"it contains the non-ASCII character U+{(int)text[nonAscii]:X4} at index {nonAscii}, and encoded names are always ASCII"));
        }

        int percent = text.IndexOf('%', StringComparison.Ordinal);
        if (percent < 0)
        {
            return text;
        }

        byte[]? rentedBytes = null;
        char[]? rentedChars = null;
        Span<byte> bytes = text.Length <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rentedBytes = ArrayPool<byte>.Shared.Rent(text.Length));
        try
        {
            int count = 0;
            for (int index = 0; index < text.Length; index++)
            {
                char c = text[index];
                if (c != '%')
                {
                    bytes[count++] = (byte)c;
                    continue;
                }

                int high = index + 1 < text.Length ? HexValue(text[index + 1]) : -1;
                int low = index + 2 < text.Length ? HexValue(text[index + 2]) : -1;
                if (high < 0 || low < 0)
                {
                    throw Invalid(
                        text,
                        string.Create(CultureInfo.InvariantCulture, $"the '%' at index {index} is not followed by two hexadecimal digits"));
                }

                bytes[count++] = (byte)((high << 4) | low);
                index += 2;
            }

            Span<char> chars = count <= StackLimit
                ? stackalloc char[StackLimit]
                : (rentedChars = ArrayPool<char>.Shared.Rent(count));
            OperationStatus status = Utf8.ToUtf16(bytes[..count], chars, out int read, out int written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                throw Invalid(
                    text,
                    string.Create(CultureInfo.InvariantCulture, $"its percent-decoded bytes are not valid UTF-8 (bad sequence at byte offset {read})"));
            }

            return new string(chars[..written]);
        }
        finally
        {
            if (rentedBytes is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedBytes);
            }

            if (rentedChars is not null)
            {
                ArrayPool<char>.Shared.Return(rentedChars);
            }
        }
    }

    private static Rune ReadRune(ReadOnlySpan<char> text, int index, string paramName, out int consumed)
    {
        if (Rune.DecodeFromUtf16(text, out Rune rune, out consumed) != OperationStatus.Done)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The text contains a lone surrogate U+{(int)text[0]:X4} at index {index}: it is not valid UTF-16."),
                paramName);
        }

        return rune;
    }

    private static int WriteEscape(byte value, Span<char> destination)
    {
        destination[0] = '%';
        destination[1] = HexDigit(value >> 4);
        destination[2] = HexDigit(value & 0xF);
        return 3;
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + (value - 10));

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static FormatException Invalid(string input, string reason) =>
        new(string.Create(CultureInfo.InvariantCulture, $"'{input}' is not a valid GraphiteEncoder encoding: {reason}."));
}
