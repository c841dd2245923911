namespace AioGraphite.Naming;

/// <summary>
/// Graphite 1.1 tag rules exactly as carbon 1.1.7 applies them (<c>carbon.util.TaggedSeries.parse_carbon</c>
/// and <c>validateTagAndValue</c>): a tagged name is <c>name;tag=value;...</c>; the name is non-empty and not
/// only <c>~</c>; a tag is non-empty without any of <c>;!^=</c>; a value is non-empty, has no <c>;</c> and does
/// not start with <c>~</c>. carbon stores a name that breaks them under the hash of the raw text instead.
/// </summary>
internal static class TagRules
{
    private const string ProhibitedTagChars = ";!^=";

    /// <summary>Checks a tag name; returns the reason it is invalid or <see langword="null"/>.</summary>
    public static string? CheckTag(ReadOnlySpan<char> tag)
    {
        if (tag.IsEmpty)
        {
            return "a tag name is empty";
        }

        int bad = tag.IndexOfAny(ProhibitedTagChars);
        if (bad >= 0)
        {
            return $"tag '{tag}' contains '{tag[bad]}', which carbon does not allow in tag names (none of ;!^=)";
        }

        return string.Equals(tag.ToString(), "name", StringComparison.Ordinal)
            ? "tag 'name' is reserved: carbon replaces it with the series name"
            : null;
    }

    /// <summary>Checks a tag value; returns the reason it is invalid or <see langword="null"/>.</summary>
    public static string? CheckValue(ReadOnlySpan<char> tag, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return $"the value of tag '{tag}' is empty";
        }

        if (value.Contains(';'))
        {
            return $"the value '{value}' of tag '{tag}' contains ';'";
        }

        return value[0] == '~' ? $"the value '{value}' of tag '{tag}' starts with '~'" : null;
    }

    /// <summary>Checks the series name (the part before the first <c>;</c>).</summary>
    public static string? CheckSeriesName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return "the series name before the first ';' is empty";
        }

        return name.TrimStart('~').IsEmpty ? $"the series name '{name}' is only '~' characters" : null;
    }

    /// <summary>
    /// Checks a full <c>name;tag=value;...</c> path that contains at least one <c>;</c>.
    /// Returns the reason it is invalid or <see langword="null"/>.
    /// </summary>
    public static string? CheckTaggedPath(ReadOnlySpan<char> path)
    {
        int semicolon = path.IndexOf(';');
        string? error = CheckSeriesName(path[..semicolon]);
        if (error is not null)
        {
            return error;
        }

        ReadOnlySpan<char> rest = path[(semicolon + 1)..];
        while (true)
        {
            int next = rest.IndexOf(';');
            ReadOnlySpan<char> segment = next < 0 ? rest : rest[..next];
            int eq = segment.IndexOf('=');
            if (eq <= 0)
            {
                return $"the tag segment '{segment}' is not of the form tag=value";
            }

            error = CheckTag(segment[..eq]) ?? CheckValue(segment[..eq], segment[(eq + 1)..]);
            if (error is not null)
            {
                return error;
            }

            if (next < 0)
            {
                return null;
            }

            rest = rest[(next + 1)..];
        }
    }
}
