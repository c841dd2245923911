using System.Text;

namespace AioGraphite.Tests.Architecture;

/// <summary>
/// Reduces C# source to its code: comments, string and character literals and preprocessor lines become spaces (line
/// breaks are kept, so line numbers still hold); the code inside interpolation holes stays.
/// </summary>
internal static class CSharpSourceText
{
    public static string CodeOnly(string source)
    {
        var code = new StringBuilder(source.Length);
        int i = 0;
        CopyCode(source, ref i, code, stopAtClosingBrace: false);
        return code.ToString();
    }

    /// <summary>Copies code up to the end (or, inside an interpolation hole, up to its closing brace, not copied).</summary>
    private static void CopyCode(string s, ref int i, StringBuilder code, bool stopAtClosingBrace)
    {
        int depth = 0;
        bool lineStart = true;
        while (i < s.Length)
        {
            char c = s[i];
            if (lineStart && c == '#')
            {
                Blank(s, ref i, code, s.IndexOf('\n', i) is var end and >= 0 ? end : s.Length);
                continue;
            }

            if (c == '\n')
            {
                lineStart = true;
            }
            else if (!char.IsWhiteSpace(c))
            {
                lineStart = false;
            }

            if (c == '/' && At(s, i + 1) == '/')
            {
                Blank(s, ref i, code, s.IndexOf('\n', i) is var end and >= 0 ? end : s.Length);
            }
            else if (c == '/' && At(s, i + 1) == '*')
            {
                int end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                Blank(s, ref i, code, end < 0 ? s.Length : end + 2);
            }
            else if (c == '\'')
            {
                int j = i + 1;
                while (j < s.Length && s[j] != '\'')
                {
                    j += s[j] == '\\' ? 2 : 1;
                }

                Blank(s, ref i, code, Math.Min(j + 1, s.Length));
            }
            else if (c is '"' or '$' or '@' && StringStart(s, i) is { } start)
            {
                SkipString(s, ref i, code, start);
            }
            else if (stopAtClosingBrace && c == '}' && depth == 0)
            {
                return;
            }
            else
            {
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                code.Append(c);
                i++;
            }
        }
    }

    /// <summary>The prefix of a string literal starting at <paramref name="i"/>: dollars, verbatim, quotes.</summary>
    private static (int Dollars, bool Verbatim, int Quotes, int Length)? StringStart(string s, int i)
    {
        int j = i;
        int dollars = 0;
        bool verbatim = false;
        while (j < s.Length && (s[j] == '$' || s[j] == '@'))
        {
            dollars += s[j] == '$' ? 1 : 0;
            verbatim |= s[j] == '@';
            j++;
        }

        int quotes = 0;
        while (j < s.Length && s[j] == '"')
        {
            quotes++;
            j++;
        }

        if (quotes == 0 || (j - quotes - i) > 3)
        {
            return null;
        }

        // "" is an empty string, """ or more opens a raw string
        if (quotes == 2)
        {
            quotes = 1;
            j--;
        }

        return (dollars, verbatim, quotes, j - i);
    }

    private static void SkipString(string s, ref int i, StringBuilder code, (int Dollars, bool Verbatim, int Quotes, int Length) start)
    {
        Blank(s, ref i, code, i + start.Length);
        bool raw = start.Quotes >= 3;
        string close = new('"', start.Quotes);
        int holeBraces = Math.Max(start.Dollars, 1);
        while (i < s.Length)
        {
            char c = s[i];
            if (!raw && !start.Verbatim && c == '\\')
            {
                Blank(s, ref i, code, Math.Min(i + 2, s.Length));
            }
            else if (!raw && start.Verbatim && c == '"' && At(s, i + 1) == '"')
            {
                Blank(s, ref i, code, i + 2);
            }
            else if (string.CompareOrdinal(s, i, close, 0, close.Length) == 0)
            {
                Blank(s, ref i, code, i + close.Length);
                return;
            }
            else if (start.Dollars > 0 && c == '{' && Run(s, i, '{') is var run && run >= holeBraces)
            {
                if (!raw && run >= 2)
                {
                    Blank(s, ref i, code, i + 2); // {{ is a literal brace
                    continue;
                }

                Blank(s, ref i, code, i + run);
                code.Append(' ');
                CopyCode(s, ref i, code, stopAtClosingBrace: true); // the hole, up to its format or closing brace
                if (i < s.Length)
                {
                    Blank(s, ref i, code, i + 1);
                }
            }
            else
            {
                Blank(s, ref i, code, i + 1);
            }
        }
    }

    private static int Run(string s, int i, char c)
    {
        int n = 0;
        while (i + n < s.Length && s[i + n] == c)
        {
            n++;
        }

        return n;
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static void Blank(string s, ref int i, StringBuilder code, int end)
    {
        for (; i < end && i < s.Length; i++)
        {
            code.Append(s[i] == '\n' ? '\n' : ' ');
        }
    }
}
