using System.Buffers;
using System.Text;

namespace AioGraphite.Naming;

/// <summary>
/// What carbon's line receiver can take as a metric name, checked at the API edge so that a bad name
/// never reaches the socket (a space splits the line, a newline injects a new line, invalid UTF-8 or an
/// over-long line kills the whole connection).
/// </summary>
internal static class MetricNameRules
{
    /// <summary>carbon's plaintext receiver (Twisted <c>LineOnlyReceiver.MAX_LENGTH</c>) drops the connection past this many bytes per line, newline excluded.</summary>
    public const int MaxLineBytes = 16384;

    /// <summary>Longest text of a double in shortest round-trip form: <c>-1.7976931348623157E+308</c>.</summary>
    public const int MaxValueChars = 24;

    /// <summary>Longest text of a 64-bit timestamp: <c>-9223372036854775808</c>.</summary>
    public const int MaxTimestampChars = 20;

    /// <summary>The longest <c> value timestamp</c> after a name: both numbers at their longest and the two spaces before them.</summary>
    public const int MaxNumbersBytes = MaxValueChars + MaxTimestampChars + 2;

    /// <summary>A name at most this long fits a line whatever its value and timestamp.</summary>
    public const int AlwaysFittingNameBytes = MaxLineBytes - MaxNumbersBytes;

    // Printable ASCII without the space and without ';' (tags): the fast path for almost every real metric name.
    private static readonly SearchValues<char> PlainPrintableAscii =
        SearchValues.Create("!\"#$%&'()*+,-./0123456789:<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>
    /// Checks <paramref name="metric"/>; returns <see langword="null"/> when it is acceptable, otherwise the reason.
    /// <paramref name="utf8Length"/> is the length of its UTF-8 form when valid.
    /// </summary>
    public static string? Check(ReadOnlySpan<char> metric, out int utf8Length) => Check(metric, out utf8Length, out _);

    /// <summary>As <see cref="Check(ReadOnlySpan{char}, out int)"/>; also tells whether the name has a <c>;</c> (tags), in the same pass.</summary>
    public static string? Check(ReadOnlySpan<char> metric, out int utf8Length, out bool hasSemicolon)
    {
        utf8Length = 0;
        hasSemicolon = false;
        if (metric.IsEmpty)
        {
            return "it is empty";
        }

        int firstOther = metric.IndexOfAnyExcept(PlainPrintableAscii);
        if (firstOther < 0)
        {
            utf8Length = metric.Length;
            return null;
        }

        hasSemicolon = metric[firstOther..].Contains(';');
        return CheckSlow(metric, firstOther, out utf8Length);
    }

    private static string? CheckSlow(ReadOnlySpan<char> metric, int start, out int utf8Length)
    {
        utf8Length = 0;
        int bytes = start;
        int i = start;
        while (i < metric.Length)
        {
            OperationStatus status = Rune.DecodeFromUtf16(metric[i..], out Rune rune, out int consumed);
            if (status != OperationStatus.Done)
            {
                return $"it has an unpaired UTF-16 surrogate at index {i} (carbon would get invalid UTF-8 and drop the connection)";
            }

            // Python's str.split() (used by carbon on each line) splits on every Unicode whitespace character;
            // control characters (\n, \r, \t, \0, DEL, C1 controls) inject or corrupt lines.
            if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune))
            {
                return $"it contains {Describe(rune)} at index {i}; whitespace and control characters are not allowed (use GraphiteEncoder.Encode to make any text a valid name)";
            }

            bytes += rune.Utf8SequenceLength;
            i += consumed;
        }

        utf8Length = bytes;
        return null;
    }

    private static string Describe(Rune rune) => rune.Value switch
    {
        '\n' => "a newline (\\n)",
        '\r' => "a carriage return (\\r)",
        '\t' => "a tab (\\t)",
        '\0' => "a NUL character (\\0)",
        ' ' => "a space",
        _ => $"the character U+{rune.Value:X4}",
    };

    /// <summary>Quotes a metric name for an error message, shortened when very long.</summary>
    public static string Quote(string? metric)
    {
        if (metric is null)
        {
            return "null";
        }

        const int Max = 120;
        string shown = metric.Length <= Max ? metric : string.Concat(metric.AsSpan(0, Max), "…");
        var sb = new StringBuilder(shown.Length + 2);
        sb.Append('\'');
        foreach (char c in shown)
        {
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\0': sb.Append("\\0"); break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('\'');
        if (metric.Length > Max)
        {
            sb.Append(" (").Append(metric.Length).Append(" chars)");
        }

        return sb.ToString();
    }
}
