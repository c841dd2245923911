using System.Text;
using AioGraphite.Cluster;

namespace AioGraphite.Tests.Cluster;

/// <summary>
/// The name carbon-c-relay 3.7.3 forwards for a metric (tags included), for the tests: the client only needs the key it
/// hashes (<see cref="CarbonCRelayKey.ForMetric"/>), which is the forwarded path; the tags after the first <c>;</c> are
/// forwarded as sent, except that a NUL byte becomes <c>_</c> and a <c>.</c> is dropped right after the first
/// <c>;</c> or after another <c>.</c> (<c>dispatch_received_metrics</c>; see <c>docs/notes/carbon-ch-placement.md</c>).
/// </summary>
internal static class CarbonCRelayForwardedName
{
    /// <summary>The name carbon-c-relay forwards for <paramref name="metric"/>.</summary>
    public static string Of(string metric)
    {
        string path = CarbonCRelayKey.ForMetric(metric);
        int end = metric.AsSpan().IndexOfAny(" \t\r\n"); // the relay's name field ends there
        if (end < 0)
        {
            end = metric.Length;
        }

        int semicolon = metric.AsSpan(0, end).IndexOf(';');
        if (semicolon < 0)
        {
            return path;
        }

        var forwarded = new StringBuilder(path, metric.Length + 1).Append(';');
        int tagsStart = forwarded.Length;
        foreach (char c in metric.AsSpan(semicolon + 1, end - semicolon - 1))
        {
            if (c == '.')
            {
                if (forwarded.Length > tagsStart && forwarded[^1] != '.')
                {
                    forwarded.Append(c);
                }
            }
            else
            {
                forwarded.Append(c == '\0' ? '_' : c);
            }
        }

        return forwarded.ToString();
    }

    /// <summary>Whether carbon-c-relay forwards <paramref name="metric"/> unchanged, so that it stores the series the client named.</summary>
    public static bool IsKeptAsSent(string metric) => string.Equals(Of(metric), metric, StringComparison.Ordinal);
}
