using System.Collections;
using System.Globalization;
using System.Text;

namespace AioGraphite.OpenTelemetry;

/// <summary>
/// Turns an OpenTelemetry instrument name and a point's attributes into a Graphite series name. Immutable and
/// thread-safe; the exporter uses <see cref="GraphiteExporterOptions.NameMapper"/>.
/// </summary>
/// <remarks>
/// <para>The rule, in <see cref="GraphiteNamingStyle.Path"/> style (the default):</para>
/// <code>
/// [prefix.] instrument-name [. key . value]... [. suffix]
/// </code>
/// <list type="number">
/// <item><see cref="Prefix"/> and the instrument name are split on <c>.</c>; empty pieces are dropped and every
/// piece goes through <see cref="SanitizeSegment"/> (the dots of the name are kept: they are Graphite's levels).</item>
/// <item>Attributes are sorted by key (ordinal), so the order in which they were recorded does not matter.</item>
/// <item>For each attribute: the key, as one segment through <see cref="SanitizeSegment"/> (<c>http.route</c> →
/// <c>http_route</c>; left out when <see cref="IncludeAttributeKeys"/> is <see langword="false"/>), then the value,
/// formatted with the invariant culture (<c>true</c>/<c>false</c>, <c>200</c>, <c>1.5</c>; arrays joined with
/// <c>,</c>) and made one segment by <see cref="AttributeValueEncoding"/>; an empty value becomes <c>_</c>.</item>
/// <item>The exporter then adds the suffix of the value: nothing for counters, up-down counters and gauges;
/// <c>count</c>, <c>sum</c>, <c>min</c>, <c>max</c> and <c>bucket.le_&lt;bound&gt;</c> for histograms.</item>
/// </list>
/// <para>Example: <c>http.server.request.duration</c> with <c>http.request.method=GET</c> and
/// <c>http.route=/hello</c>, prefix <c>myapp</c>, the histogram count:
/// <c>myapp.http.server.request.duration.http_request_method.GET.http_route._hello.count</c>.</para>
/// <para>In <see cref="GraphiteNamingStyle.Tags"/> style the name is <c>[prefix.]instrument-name[.suffix]</c>
/// (same segment rule) and each attribute becomes a Graphite tag: in keys, whitespace, control characters and
/// <c>;!^=</c> become <c>_</c> (the reserved key <c>name</c> becomes <c>_name</c>); in values, whitespace,
/// control characters and <c>;</c> become <c>_</c> and a leading <c>~</c> becomes <c>_</c>; attributes with an
/// empty value are left out (Graphite treats a missing tag as an empty one); when two keys sanitize to the same
/// tag the first in key order wins. Tags are sorted as carbon normalises them (<see cref="GraphiteTags.Format(string, IEnumerable{KeyValuePair{string, string}})"/>):
/// <c>myapp.http.server.request.duration.count;http.request.method=GET;http.route=/hello</c>.</para>
/// </remarks>
public sealed class GraphiteMetricNameMapper
{
    /// <summary>Path style, no prefix, keys included, values sanitized.</summary>
    public static GraphiteMetricNameMapper Default { get; } = new();

    /// <summary>Path (default) or tags.</summary>
    public GraphiteNamingStyle Style { get; init; } = GraphiteNamingStyle.Path;

    /// <summary>
    /// Segments put before every name, e.g. <c>otel</c> or <c>apps.shop</c>. Default none. Applied before the
    /// client's own <see cref="GraphiteClientOptions.MetricPrefix"/>, which the client adds in front of it.
    /// </summary>
    public string? Prefix { get; init; }

    /// <summary>
    /// In <see cref="GraphiteNamingStyle.Path"/> style, whether each attribute value is preceded by its key
    /// (<c>...method.GET</c>, the default) or appears alone (<c>...GET</c>, shorter but only unambiguous when
    /// every point of the instrument has the same attribute keys).
    /// </summary>
    public bool IncludeAttributeKeys { get; init; } = true;

    /// <summary>In <see cref="GraphiteNamingStyle.Path"/> style, how values become segments. Default <see cref="GraphiteAttributeEncoding.Sanitize"/>.</summary>
    public GraphiteAttributeEncoding AttributeValueEncoding { get; init; } = GraphiteAttributeEncoding.Sanitize;

    /// <summary>Maps one series to a Graphite name.</summary>
    /// <param name="instrumentName">The instrument's name, e.g. <c>http.server.request.duration</c>.</param>
    /// <param name="attributes">The point's attributes (any order); <see langword="null"/> for none.</param>
    /// <param name="suffix">Segments added at the end of the name (before the tags), e.g. <c>count</c>; <see langword="null"/> for none.</param>
    /// <returns>A valid Graphite metric name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="instrumentName"/> is <see langword="null"/>.</exception>
    public string GetMetricName(string instrumentName, IEnumerable<KeyValuePair<string, object?>>? attributes, string? suffix = null)
    {
        ArgumentNullException.ThrowIfNull(instrumentName);
        var list = attributes is null ? [] : new List<KeyValuePair<string, object?>>(attributes);
        return Map(instrumentName, list).Name(suffix);
    }

    /// <summary>
    /// Makes <paramref name="text"/> one Graphite path segment that is safe everywhere (carbon, whisper file
    /// names, graphite-web globs): each character other than <c>A-Z a-z 0-9 _ -</c> becomes one <c>_</c>
    /// (a character outside the Basic Multilingual Plane too); the empty string stays empty.
    /// </summary>
    /// <param name="text">Any text.</param>
    /// <returns>The segment.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static string SanitizeSegment(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().IndexOfAnyExcept(SafeChars.Segment) < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            sb.Append(SafeChars.Segment.Contains(c) ? c : '_');
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
        }

        return sb.ToString();
    }

    /// <summary>Maps the series once; the exporter then asks for each suffix.</summary>
    internal MappedSeries Map(string instrumentName, List<KeyValuePair<string, object?>> attributes)
    {
        attributes.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var head = new StringBuilder(128);
        AppendDotted(head, Prefix);
        AppendDotted(head, instrumentName);
        if (head.Length == 0)
        {
            head.Append('_');
        }

        if (Style == GraphiteNamingStyle.Tags)
        {
            return new MappedSeries(head.ToString(), TagSuffix(attributes));
        }

        foreach (KeyValuePair<string, object?> attribute in attributes)
        {
            if (IncludeAttributeKeys)
            {
                string key = SanitizeSegment(attribute.Key ?? string.Empty);
                head.Append('.').Append(key.Length == 0 ? "_" : key);
            }

            string value = EncodeValue(FormatAttributeValue(attribute.Value));
            head.Append('.').Append(value.Length == 0 ? "_" : value);
        }

        return new MappedSeries(head.ToString(), string.Empty);
    }

    /// <summary>Formats an attribute value with the invariant culture; arrays are joined with <c>,</c>.</summary>
    internal static string FormatAttributeValue(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => string.Join(',', items.Cast<object?>().Select(FormatAttributeValue)),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>The suffix of a histogram bucket: <c>bucket.le_100</c>, <c>bucket.le_0_005</c>, <c>bucket.le_inf</c>.</summary>
    internal static string BucketSuffix(double upperBound)
    {
        if (double.IsPositiveInfinity(upperBound))
        {
            return "bucket.le_inf";
        }

        string text = upperBound.ToString("R", CultureInfo.InvariantCulture).Replace('.', '_');
        return "bucket.le_" + SanitizeSegment(text);
    }

    private static void AppendDotted(StringBuilder sb, string? dotted)
    {
        if (string.IsNullOrEmpty(dotted))
        {
            return;
        }

        foreach (string piece in dotted.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (sb.Length > 0)
            {
                sb.Append('.');
            }

            sb.Append(SanitizeSegment(piece));
        }
    }

    private string EncodeValue(string value)
    {
        if (AttributeValueEncoding == GraphiteAttributeEncoding.Encode && value.Length > 0)
        {
            try
            {
                return GraphiteEncoder.Encode(value).Replace("/", "%2F", StringComparison.Ordinal);
            }
            catch (ArgumentException)
            {
                // A lone surrogate: not text GraphiteEncoder can encode; fall back to the lossy rule.
            }
        }

        return SanitizeSegment(value);
    }

    private static string TagSuffix(List<KeyValuePair<string, object?>> attributes)
    {
        if (attributes.Count == 0)
        {
            return string.Empty;
        }

        var tags = new List<KeyValuePair<string, string>>(attributes.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> attribute in attributes)
        {
            string value = SanitizeTagText(FormatAttributeValue(attribute.Value), SafeChars.TagValueBanned);
            if (value.Length == 0)
            {
                continue;
            }

            if (value[0] == '~')
            {
                value = string.Concat("_", value.AsSpan(1));
            }

            string key = SanitizeTagText(attribute.Key ?? string.Empty, SafeChars.TagKeyBanned);
            key = key.Length == 0 ? "_" : key == "name" ? "_name" : key;
            if (seen.Add(key))
            {
                tags.Add(new KeyValuePair<string, string>(key, value));
            }
        }

        // GraphiteTags.Format validates and sorts the tags as carbon normalises them; the name part is dropped.
        return tags.Count == 0 ? string.Empty : GraphiteTags.Format("_", tags)[1..];
    }

    /// <summary>Replaces whitespace, control characters, unpaired surrogates and <paramref name="banned"/> with <c>_</c>.</summary>
    private static string SanitizeTagText(string text, string banned)
    {
        StringBuilder? sb = null;
        int i = 0;
        while (i < text.Length)
        {
            bool ok = Rune.DecodeFromUtf16(text.AsSpan(i), out Rune rune, out int consumed) == System.Buffers.OperationStatus.Done
                && !Rune.IsWhiteSpace(rune) && !Rune.IsControl(rune) && (!rune.IsAscii || !banned.Contains((char)rune.Value, StringComparison.Ordinal));
            if (!ok && sb is null)
            {
                sb = new StringBuilder(text.Length).Append(text, 0, i);
            }

            if (ok)
            {
                sb?.Append(text, i, consumed);
            }
            else
            {
                sb!.Append('_');
            }

            i += consumed;
        }

        return sb?.ToString() ?? text;
    }
}
