namespace AioGraphite.Cli.Input;

/// <summary>
/// Whitespace as Python's <c>str.strip()</c> and <c>str.split()</c> see it (carbon splits each plaintext line with
/// them): every Unicode white space character plus the separators U+001C to U+001F.
/// </summary>
internal static class PythonWhitespace
{
    /// <summary>Whether Python treats <paramref name="c"/> as whitespace.</summary>
    /// <param name="c">The character.</param>
    /// <returns><see langword="true"/> for whitespace.</returns>
    public static bool Is(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    /// <summary>Removes leading and trailing whitespace, as <c>str.strip()</c>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The trimmed text.</returns>
    public static ReadOnlySpan<char> Trim(ReadOnlySpan<char> text)
    {
        int start = 0;
        while (start < text.Length && Is(text[start]))
        {
            start++;
        }

        int end = text.Length;
        while (end > start && Is(text[end - 1]))
        {
            end--;
        }

        return text[start..end];
    }

    /// <summary>
    /// Splits on runs of whitespace, as <c>str.split()</c>, writing at most <paramref name="fields"/>.Length ranges;
    /// returns how many fields there are in total (possibly more than were written).
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="fields">Receives the ranges of the first fields.</param>
    /// <returns>The number of fields.</returns>
    public static int Split(ReadOnlySpan<char> text, Span<Range> fields)
    {
        int count = 0;
        int i = 0;
        while (true)
        {
            while (i < text.Length && Is(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                return count;
            }

            int start = i;
            while (i < text.Length && !Is(text[i]))
            {
                i++;
            }

            if (count < fields.Length)
            {
                fields[count] = start..i;
            }

            count++;
        }
    }
}
