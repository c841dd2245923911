using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using System.Text;
using AioGraphite.Naming;

namespace AioGraphite.Tests.Cluster;

/// <summary>
/// The routing key graphite-carbon's relay hashes for a metric name (graphite-carbon 1.1.7): a model of carbon-relay
/// that the parity tests check the ring against (the client hashes the name as sent, carbon-relay's default).
/// </summary>
/// <remarks>
/// <para>carbon-relay's <c>RelayProcessor.process</c> (carbon/client.py) hands the metric to
/// <c>ConsistentHashingRouter.getDestinations</c>, which hashes <c>getKey(metric)</c>; the default <c>getKey</c>
/// returns the metric unchanged (a <c>relay-rules</c>-style key function can only be plugged in by code). The metric
/// is the name as received, tags in the order sent, unless <c>TAG_RELAY_NORMALIZED = True</c> (default
/// <c>False</c>), in which case the relay first replaces it with <c>TaggedSeries.parse(metric).path</c> and keeps the
/// name as received when that raises. carbon-cache always stores the normalised name, so without
/// <c>TAG_RELAY_NORMALIZED</c> one series sent with its tags in two orders may land on two caches.</para>
/// <para>carbon-c-relay's <c>carbon_ch</c> hashes a different key (its rewritten name, without tags); see
/// <c>docs/notes/carbon-ch-placement.md</c>.</para>
/// </remarks>
internal static partial class CarbonRouterKey
{
    private const string ProhibitedTagChars = ";!^=";

    /// <summary>
    /// The key carbon-relay hashes with its default settings: <c>ConsistentHashingRouter.getKey(metric)</c>, which is
    /// the metric itself (<c>TAG_RELAY_NORMALIZED = False</c>).
    /// </summary>
    /// <param name="metric">The metric name as sent, tags included.</param>
    /// <returns><paramref name="metric"/>.</returns>
    public static string ForMetric(string metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return metric;
    }

    /// <summary>
    /// The key carbon-relay hashes: with <paramref name="normalizeTags"/> (<c>TAG_RELAY_NORMALIZED = True</c>)
    /// <c>TaggedSeries.parse(metric).path</c>, or the metric unchanged when carbon cannot parse it; otherwise the
    /// metric unchanged.
    /// </summary>
    /// <param name="metric">The metric name as sent, tags included.</param>
    /// <param name="normalizeTags">carbon's <c>TAG_RELAY_NORMALIZED</c> setting.</param>
    /// <returns>The routing key.</returns>
    public static string ForMetric(string metric, bool normalizeTags)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return normalizeTags && TryNormalize(metric, out string? normalized) ? normalized : metric;
    }

    /// <summary>
    /// <c>TaggedSeries.parse(path).path</c> (carbon/util.py): the series name as carbon stores it.
    /// </summary>
    /// <remarks>
    /// <para><c>parse</c> reads <c>metric{tag="value",...}</c> (OpenMetrics, when the path ends with <c>"}</c> and holds a
    /// <c>{</c>) or <c>metric;tag=value;...</c>; a tag name must be non-empty without <c>;!^=</c>, a value non-empty,
    /// without <c>;</c>, not starting with <c>~</c>; a later duplicate tag wins. The tag <c>name</c> is always set to
    /// the metric with leading <c>~</c> removed (which must leave something). <c>path</c> (<c>TaggedSeries.format</c>)
    /// is that name followed by the other tags as <c>;tag=value</c> strings sorted in code-point order, so even a plain
    /// name loses its leading <c>~</c>.</para>
    /// </remarks>
    /// <param name="path">The metric name.</param>
    /// <param name="normalized">The normalised name, when carbon can parse it.</param>
    /// <returns><see langword="false"/> where carbon's <c>parse</c> raises.</returns>
    public static bool TryNormalize(string path, [NotNullWhen(true)] out string? normalized)
    {
        ArgumentNullException.ThrowIfNull(path);
        normalized = null;
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        string metric;
        if (path.EndsWith("\"}", StringComparison.Ordinal) && path.Contains('{', StringComparison.Ordinal))
        {
            // parse_openmetrics: (metric, rawtags) = path[0:-1].split('{', 2) -- a second '{' makes three parts and the
            // unpacking raises.
            string inner = path[..^1];
            int brace = inner.IndexOf('{', StringComparison.Ordinal);
            if (inner.IndexOf('{', brace + 1) >= 0)
            {
                return false;
            }

            metric = inner[..brace];
            if (metric.Length == 0)
            {
                return false;
            }

            string rawTags = inner[(brace + 1)..];
            while (rawTags.Length > 0)
            {
                Match match = OpenMetricsTag().Match(rawTags);
                if (!match.Success)
                {
                    return false;
                }

                string tag = match.Groups["tag"].Value;
                string value = match.Groups["value"].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
                if (!IsValidTagAndValue(tag, value))
                {
                    return false;
                }

                tags[tag] = value;
                rawTags = rawTags[match.Length..];
            }
        }
        else
        {
            // parse_carbon
            string[] segments = path.Split(';');
            metric = segments[0];
            if (metric.Length == 0)
            {
                return false;
            }

            for (int i = 1; i < segments.Length; i++)
            {
                string segment = segments[i];
                int equals = segment.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    return false;
                }

                string tag = segment[..equals];
                string value = segment[(equals + 1)..];
                if (!IsValidTagAndValue(tag, value))
                {
                    return false;
                }

                tags[tag] = value;
            }
        }

        // sanitize_name_as_tag_value: name.lstrip('~'), which must not be empty
        string name = metric.TrimStart('~');
        if (name.Length == 0)
        {
            return false;
        }

        // format: tags['name'] + ''.join(sorted(';%s=%s' % (tag, value) for tag != 'name'))
        var parts = new List<string>(tags.Count);
        foreach (KeyValuePair<string, string> pair in tags)
        {
            if (!string.Equals(pair.Key, "name", StringComparison.Ordinal))
            {
                parts.Add(";" + pair.Key + "=" + pair.Value);
            }
        }

        parts.Sort(TaggedName.CompareCodePoints);
        var builder = new StringBuilder(name, path.Length + 16);
        foreach (string part in parts)
        {
            builder.Append(part);
        }

        normalized = builder.ToString();
        return true;
    }

    // validateTagAndValue; parse_carbon has already refused an empty tag name.
    private static bool IsValidTagAndValue(string tag, string value)
    {
        return tag.Length > 0
            && value.Length > 0
            && tag.AsSpan().IndexOfAny(ProhibitedTagChars) < 0
            && !value.Contains(';', StringComparison.Ordinal)
            && value[0] != '~';
    }

    // parse_openmetrics: re.match(r'([^=]+)="((?:[\\]["\\]|[^"\\])+)"(:?,|$)', rawtags). Both engines backtrack the
    // same way; '$' matches at the end or before a final newline in both.
    [GeneratedRegex("""^(?<tag>[^=]+)="(?<value>(?:[\\]["\\]|[^"\\])+)"(?::?,|$)""", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex OpenMetricsTag();
}
