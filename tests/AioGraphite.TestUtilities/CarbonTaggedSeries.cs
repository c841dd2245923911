using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace AioGraphite.TestUtilities;

/// <summary>
/// A C# copy of carbon 1.1's <c>carbon.util.TaggedSeries</c> (parse, format, encode): how carbon-cache
/// normalises a metric name and which whisper file it writes it to.
/// </summary>
/// <remarks>
/// carbon-cache runs every received name through <c>TaggedSeries.parse(name).path</c> (tags sorted,
/// a leading <c>~</c> dropped from the name, <c>name{a="b"}</c> turned into <c>name;a=b</c>); when that
/// throws it logs "Error parsing metric" and keeps the raw name. The file is then
/// <c>TaggedSeries.encode(name, os.sep, hash_only=TAG_HASH_FILENAMES) + ".wsp"</c> under the whisper directory.
/// </remarks>
public static partial class CarbonTaggedSeries
{
    private const string ProhibitedTagChars = ";!^=";

    /// <summary>carbon's <c>TaggedSeries.parse(path).tags</c>: the tags, with the (sanitised) metric under <c>name</c>.</summary>
    /// <param name="path">A carbon name, <c>metric;tag=value;...</c>, or OpenMetrics <c>metric{tag="value",...}</c>.</param>
    /// <returns>The tags.</returns>
    /// <exception cref="FormatException">carbon would reject the name (its message is carbon's).</exception>
    public static IReadOnlyDictionary<string, string> ParseTags(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.EndsWith("\"}", StringComparison.Ordinal) && path.Contains('{', StringComparison.Ordinal)
            ? ParseOpenMetrics(path)
            : ParseCarbon(path);
    }

    /// <summary>carbon's <c>TaggedSeries.parse(path).path</c>: the normalised name (tags sorted).</summary>
    /// <param name="path">The name as sent.</param>
    /// <returns>The normalised name.</returns>
    /// <exception cref="FormatException">carbon would reject the name.</exception>
    public static string ParsePath(string path) => Format(ParseTags(path));

    /// <summary>The name carbon-cache stores: <see cref="ParsePath"/>, or the raw name when that fails (as carbon does).</summary>
    /// <param name="metric">The name as sent.</param>
    /// <returns>The name carbon stores and answers cache queries for.</returns>
    public static string Normalize(string metric)
    {
        try
        {
            return ParsePath(metric);
        }
        catch (FormatException)
        {
            return metric;
        }
    }

    /// <summary>carbon's <c>TaggedSeries.format(tags)</c>: <c>name</c> then <c>;tag=value</c> entries sorted by code point.</summary>
    /// <param name="tags">The tags, including <c>name</c>.</param>
    /// <returns>The formatted path.</returns>
    public static string Format(IReadOnlyDictionary<string, string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var entries = tags.Where(t => t.Key != "name").Select(t => $";{t.Key}={t.Value}").ToList();
        entries.Sort(CompareByCodePoint);
        return (tags.TryGetValue("name", out var name) ? name : string.Empty) + string.Concat(entries);
    }

    /// <summary>carbon's <c>TaggedSeries.encode(metric, sep, hash_only)</c>: the storage path, without extension.</summary>
    /// <param name="metric">A normalised name (see <see cref="Normalize"/>).</param>
    /// <param name="separator">The path separator (carbon passes <c>os.sep</c>).</param>
    /// <param name="hashOnly">carbon's <c>TAG_HASH_FILENAMES</c> (default True).</param>
    /// <returns><c>_tagged/abc/def/&lt;sha256&gt;</c> for a tagged name; the dotted name with dots as separators otherwise.</returns>
    public static string Encode(string metric, char separator = '.', bool hashOnly = false)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (metric.Contains(';', StringComparison.Ordinal))
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(metric)));
            return string.Join(separator, "_tagged", hash[..3], hash[3..6], hashOnly ? hash : metric.Replace(".", "_DOT_", StringComparison.Ordinal));
        }

        return metric.Replace('.', separator).TrimStart(separator);
    }

    /// <summary>The .wsp path carbon-cache uses for <paramref name="metric"/>, relative to its whisper directory, with '/' separators.</summary>
    /// <param name="metric">The name as sent.</param>
    /// <param name="tagHashFilenames">carbon's <c>TAG_HASH_FILENAMES</c> (default True).</param>
    /// <returns>For example <c>a/b/c.wsp</c> or <c>_tagged/3f1/0c2/3f10c2....wsp</c>.</returns>
    public static string WhisperRelativePath(string metric, bool tagHashFilenames = true)
        => Encode(Normalize(metric), '/', tagHashFilenames) + ".wsp";

    private static Dictionary<string, string> ParseCarbon(string path)
    {
        var segments = path.Split(';');
        var metric = segments[0];
        if (metric.Length == 0)
        {
            throw new FormatException($"Cannot parse path {path}, no metric found");
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var segment in segments.Skip(1))
        {
            var tag = segment.Split('=', 2);
            if (tag.Length != 2 || tag[0].Length == 0)
            {
                throw new FormatException($"Cannot parse path {path}, invalid segment {segment}");
            }

            ValidateTagAndValue(tag[0], tag[1]);
            tags[tag[0]] = tag[1];
        }

        tags["name"] = SanitizeNameAsTagValue(metric);
        return tags;
    }

    private static Dictionary<string, string> ParseOpenMetrics(string path)
    {
        // (metric, rawtags) = path[0:-1].split('{', 2)
        var parts = path[..^1].Split('{', 3);
        if (parts.Length != 2)
        {
            throw new FormatException($"Cannot parse path {path}: expected one '{{'");
        }

        var (metric, rawTags) = (parts[0], parts[1]);
        if (metric.Length == 0)
        {
            throw new FormatException($"Cannot parse path {path}, no metric found");
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        while (rawTags.Length > 0)
        {
            var m = OpenMetricsSegment().Match(rawTags);
            if (!m.Success)
            {
                throw new FormatException($"Cannot parse path {path}, invalid segment {rawTags}");
            }

            var tag = m.Groups["tag"].Value;
            var value = m.Groups["value"].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            ValidateTagAndValue(tag, value);
            tags[tag] = value;
            rawTags = rawTags[m.Length..];
        }

        tags["name"] = SanitizeNameAsTagValue(metric);
        return tags;
    }

    private static void ValidateTagAndValue(string tag, string value)
    {
        if (tag.Length == 0)
        {
            throw new FormatException("Tag may not be empty");
        }

        if (value.Length == 0)
        {
            throw new FormatException($"Value for tag \"{tag}\" may not be empty");
        }

        foreach (var c in ProhibitedTagChars)
        {
            if (tag.Contains(c, StringComparison.Ordinal))
            {
                throw new FormatException($"Character \"{c}\" is not allowed in tag \"{tag}\"");
            }
        }

        if (value.Contains(';', StringComparison.Ordinal))
        {
            throw new FormatException($"Character \";\" is not allowed in value \"{value}\" of tag {tag}");
        }

        if (value[0] == '~')
        {
            throw new FormatException($"Tag values are not allowed to start with \"~\" in tag \"{tag}\"");
        }
    }

    private static string SanitizeNameAsTagValue(string name)
    {
        var sanitized = name.TrimStart('~');
        return sanitized.Length == 0
            ? throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"Cannot use metric name {name} as tag value, results in emptry string"))
            : sanitized;
    }

    // Python compares str by code point; UTF-16 ordinal order differs for characters above U+FFFF.
    private static int CompareByCodePoint(string? x, string? y)
    {
        var a = (x ?? string.Empty).EnumerateRunes();
        var b = (y ?? string.Empty).EnumerateRunes();
        while (true)
        {
            var hasA = a.MoveNext();
            var hasB = b.MoveNext();
            if (!hasA || !hasB)
            {
                return hasA.CompareTo(hasB);
            }

            var c = a.Current.Value.CompareTo(b.Current.Value);
            if (c != 0)
            {
                return c;
            }
        }
    }

    // carbon: re.match(r'([^=]+)="((?:[\\]["\\]|[^"\\])+)"(:?,|$)', rawtags) - the "(:?" typo included.
    [GeneratedRegex("""^(?<tag>[^=]+)="(?<value>(?:[\\]["\\]|[^"\\])+)"(?::?,|$)""", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex OpenMetricsSegment();
}
