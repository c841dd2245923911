using System.Text;

namespace AioGraphite.Cluster;

/// <summary>
/// The key carbon-c-relay's <c>carbon_ch</c> cluster hashes for a metric name (carbon-c-relay 3.7.3 with its default
/// allowed characters <c>-_:#</c> and tag support on).
/// </summary>
/// <remarks>
/// <para>carbon-c-relay rewrites every received line byte by byte before routing it (<c>dispatch_received_metrics</c>
/// in <c>dispatcher.c</c>), then hashes the rewritten name up to its "first space", which for a tagged name is the
/// first <c>;</c>. Over the UTF-8 bytes of the name (the tests model the whole forwarded name, tags included):</para>
/// <list type="bullet">
/// <item><description>before the first <c>;</c>: a byte other than <c>[0-9A-Za-z]</c>, <c>-_:#</c> and <c>.</c> becomes
/// <c>_</c> (one per byte: <c>é</c> becomes <c>__</c>);</description></item>
/// <item><description>a <c>.</c> is dropped at the start, right after another <c>.</c> and right after the first
/// <c>;</c>;</description></item>
/// <item><description>the first <c>;</c> starts the tags: from there on bytes are kept as they are (a NUL byte aside),
/// only the dot rule still applies;</description></item>
/// <item><description>at the end of an untagged name one trailing <c>.</c> is dropped; a tagged name keeps the dot
/// before its <c>;</c>.</description></item>
/// </list>
/// <para>These rules were checked against a running carbon-c-relay 3.7.3 (<c>docs/notes/carbon-ch-placement.md</c>,
/// facts B, C, C2). The name ends at a space, tab, carriage return or newline, where the relay's line field ends; the
/// client never sends those. A name that rewrites to nothing (<c>.</c>, <c>..</c>) gives the empty key; the relay
/// would misread such a line anyway.</para>
/// </remarks>
internal static class CarbonCRelayKey
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The key carbon-c-relay's <c>carbon_ch</c> hashes: the rewritten name up to its first <c>;</c>.</summary>
    /// <param name="metric">The metric name as sent, tags included.</param>
    /// <returns>The key (ASCII only: every other byte of the path became <c>_</c>).</returns>
    /// <exception cref="ArgumentException"><paramref name="metric"/> holds a lone surrogate (it has no UTF-8 form).</exception>
    public static string ForMetric(string metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        byte[] input;
        try
        {
            input = StrictUtf8.GetBytes(metric);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException("The metric holds a lone surrogate, so it has no UTF-8 form.", nameof(metric), ex);
        }

        // dispatch_received_metrics, applied to "metric<space>..." up to the relay's first field separator: a space
        // (the name field ends) or the first ';' (the tags start; the relay hashes what came before it).
        var key = new char[input.Length];
        int q = 0;
        bool tagged = false;
        foreach (byte b in input)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                break;
            }

            if (b == ';')
            {
                tagged = true;
                break;
            }

            if (b == '.')
            {
                // "don't start with separator", "duplicate elimination"
                if (q > 0 && key[q - 1] != '.')
                {
                    key[q++] = '.';
                }
            }
            else
            {
                key[q++] = IsAllowed(b) ? (char)b : '_';
            }
        }

        // at the first space of an untagged name: "strip trailing separator"; a tagged name keeps the dot before its ';'
        if (!tagged && q > 0 && key[q - 1] == '.')
        {
            q--;
        }

        return new string(key, 0, q);
    }

    private static bool IsAllowed(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'-' or (byte)'_' or (byte)':' or (byte)'#';
}
