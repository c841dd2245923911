using System.Text;

namespace AioGraphite.Naming;

/// <summary>Builds Graphite 1.1 tagged names the way carbon normalises them: <c>name;tag=value</c> sorted by <c>;tag=value</c>.</summary>
internal static class TaggedName
{
    /// <summary>Formats <paramref name="tags"/> as <c>;a=1;b=2</c>, sorted and validated; throws <see cref="ArgumentException"/> naming the bad tag.</summary>
    public static string FormatTagSuffix(IEnumerable<KeyValuePair<string, string>> tags, string paramName)
    {
        ArgumentNullException.ThrowIfNull(tags, paramName);
        var parts = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> tag in tags)
        {
            if (tag.Key is null || tag.Value is null)
            {
                throw new ArgumentException($"Tag {MetricNameRules.Quote(tag.Key)} has a null name or value.", paramName);
            }

            string? error = TagRules.CheckTag(tag.Key) ?? TagRules.CheckValue(tag.Key, tag.Value)
                ?? MetricNameRules.Check(tag.Key, out _) ?? MetricNameRules.Check(tag.Value, out _);
            if (error is not null)
            {
                throw new ArgumentException($"Tag {MetricNameRules.Quote(tag.Key)}={MetricNameRules.Quote(tag.Value)} is invalid: {error}.", paramName);
            }

            if (!seen.Add(tag.Key))
            {
                throw new ArgumentException($"Tag {MetricNameRules.Quote(tag.Key)} is given more than once.", paramName);
            }

            parts.Add(string.Concat(";", tag.Key, "=", tag.Value));
        }

        parts.Sort(CompareCodePoints);
        return string.Concat(parts);
    }

    /// <summary>Formats <c>name;tags</c> with tags sorted; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static string Format(string name, IEnumerable<KeyValuePair<string, string>> tags)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? error = MetricNameRules.Check(name, out _) ?? (name.Contains(';', StringComparison.Ordinal) ? "it contains ';' (pass tags separately)" : null) ?? TagRules.CheckSeriesName(name);
        if (error is not null)
        {
            throw new ArgumentException($"Series name {MetricNameRules.Quote(name)} is invalid: {error}.", nameof(name));
        }

        return name + FormatTagSuffix(tags, nameof(tags));
    }

    /// <summary>
    /// Merges a point's own tagged name (it contains <c>;</c> and was validated) with default tags; the point's
    /// tags win. Returns the normalised <c>name;tags</c>.
    /// </summary>
    public static string Merge(string taggedPath, IReadOnlyDictionary<string, string> defaults)
    {
        string[] segments = taggedPath.Split(';');
        var tags = new Dictionary<string, string>(defaults, StringComparer.Ordinal);
        for (int i = 1; i < segments.Length; i++)
        {
            int eq = segments[i].IndexOf('=', StringComparison.Ordinal);
            tags[segments[i][..eq]] = segments[i][(eq + 1)..];
        }

        var sb = new StringBuilder(segments[0]);
        var parts = new List<string>(tags.Count);
        foreach (KeyValuePair<string, string> tag in tags)
        {
            parts.Add(string.Concat(";", tag.Key, "=", tag.Value));
        }

        parts.Sort(CompareCodePoints);
        foreach (string part in parts)
        {
            sb.Append(part);
        }

        return sb.ToString();
    }

    /// <summary>
    /// Orders strings as Python 3 does: by Unicode code point (also C's <c>strcmp</c> on UTF-8). Ordinal (UTF-16
    /// code unit) order differs where a surrogate pair (U+10000 and up) meets a code unit U+E000..U+FFFF, so those
    /// are moved above the pairs.
    /// </summary>
    public static int CompareCodePoints(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return Rank(a[i]) - Rank(b[i]);
            }
        }

        return a.Length - b.Length;

        static int Rank(char c) => c switch
        {
            >= '\uD800' and <= '\uDFFF' => c + 0x2000,
            >= '\uE000' => c - 0x800,
            _ => c,
        };
    }
}
