using System.Globalization;
using System.Text;

namespace AioGraphite.Cluster;

/// <summary>
/// Python 3's <c>repr(str)</c>, needed because carbon builds its ring keys with <c>"%s:%d" % ((server, instance), i)</c>,
/// which formats the tuple with the <c>repr</c> of each string.
/// </summary>
/// <remarks>
/// Mirrors CPython's <c>unicode_repr</c> (Objects/unicodeobject.c): the quote is <c>'</c> unless the text holds a
/// <c>'</c> and no <c>"</c>; the chosen quote and <c>\</c> get a backslash; tab, newline and carriage return become
/// <c>\t</c>, <c>\n</c>, <c>\r</c>; other code points below U+0020 and U+007F become <c>\xNN</c>; other ASCII is
/// kept; non-ASCII is kept when printable (Unicode category not Cc, Cf, Cs, Co, Cn, Zl, Zp or Zs) and escaped as
/// <c>\xNN</c>, <c>\uNNNN</c> or <c>\UNNNNNNNN</c> (lower-case hex) otherwise. A lone surrogate is a code point of its
/// own (category Cs), as in a Python <c>str</c>. The printable test uses .NET's Unicode tables, so a code point
/// assigned after the Unicode version of the Python that runs carbon may be kept here but escaped there; host and
/// instance names are ASCII in practice.
/// </remarks>
internal static class PythonStringRepr
{
    /// <summary>Appends <c>repr(text)</c> to <paramref name="builder"/>.</summary>
    /// <param name="builder">The builder to append to.</param>
    /// <param name="text">The Python string.</param>
    public static void Append(StringBuilder builder, string text)
    {
        char quote = text.Contains('\'', StringComparison.Ordinal) && !text.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            int codePoint = c;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                codePoint = char.ConvertToUtf32(c, text[i + 1]);
            }

            if (codePoint == quote || codePoint == '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (codePoint == '\t')
            {
                builder.Append("\\t");
            }
            else if (codePoint == '\n')
            {
                builder.Append("\\n");
            }
            else if (codePoint == '\r')
            {
                builder.Append("\\r");
            }
            else if (codePoint < 0x20 || codePoint == 0x7F)
            {
                AppendHex(builder, 'x', codePoint, 2);
            }
            else if (codePoint < 0x7F)
            {
                builder.Append(c);
            }
            else if (IsPrintable(codePoint))
            {
                builder.Append(c);
                if (codePoint > 0xFFFF)
                {
                    builder.Append(text[++i]);
                }
            }
            else if (codePoint <= 0xFF)
            {
                AppendHex(builder, 'x', codePoint, 2);
            }
            else if (codePoint <= 0xFFFF)
            {
                AppendHex(builder, 'u', codePoint, 4);
            }
            else
            {
                AppendHex(builder, 'U', codePoint, 8);
                i++;
            }
        }

        builder.Append(quote);
    }

    /// <summary>Returns <c>repr(text)</c>.</summary>
    /// <param name="text">The Python string.</param>
    /// <returns>The text as Python 3 writes it in a <c>repr</c>.</returns>
    public static string Repr(string text)
    {
        var builder = new StringBuilder(text.Length + 2);
        Append(builder, text);
        return builder.ToString();
    }

    private static bool IsPrintable(int codePoint)
    {
        // CPython's _PyUnicode_IsPrintable: everything but "Other" (Cc, Cf, Cs, Co, Cn) and "Separator" (Zl, Zp, Zs),
        // space excepted (space is ASCII and handled before this is called).
        return CharUnicodeInfo.GetUnicodeCategory(codePoint) is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);
    }

    private static void AppendHex(StringBuilder builder, char kind, int codePoint, int digits)
    {
        builder.Append('\\').Append(kind).Append(codePoint.ToString("x" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
    }
}
