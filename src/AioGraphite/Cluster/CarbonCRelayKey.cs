using System.Text;

namespace AioGraphite.Cluster;

/// <summary>
/// The key carbon-c-relay's <c>carbon_ch</c> cluster hashes for a metric name, and the name it forwards
/// (carbon-c-relay 3.7.3 with its default allowed characters <c>-_:#</c> and tag support on).
/// </summary>
/// <remarks>
/// <para>carbon-c-relay rewrites every received line byte by byte before routing it (<c>dispatch_received_metrics</c>
/// in <c>dispatcher.c</c>), then hashes the rewritten name up to its "first space", which for a tagged name is the
/// first <c>;</c>. Over the UTF-8 bytes of the name:</para>
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
        byte[] rewritten = RewriteBytes(metric, out int hashedLength);
        return Encoding.ASCII.GetString(rewritten, 0, hashedLength);
    }

    /// <summary>The name carbon-c-relay forwards for <paramref name="metric"/> (tags included).</summary>
    /// <param name="metric">The metric name as sent, tags included.</param>
    /// <returns>The rewritten name.</returns>
    /// <exception cref="ArgumentException"><paramref name="metric"/> holds a lone surrogate (it has no UTF-8 form).</exception>
    public static string Rewrite(string metric)
    {
        byte[] rewritten = RewriteBytes(metric, out _);
        return Encoding.UTF8.GetString(rewritten);
    }

    /// <summary>
    /// Whether carbon-c-relay forwards <paramref name="metric"/> unchanged, i.e. the series it stores is the one the
    /// client stores when it sends the same name.
    /// </summary>
    /// <param name="metric">The metric name as sent, tags included.</param>
    /// <returns><see langword="true"/> when <see cref="Rewrite"/> returns the name itself.</returns>
    public static bool IsKeptAsSent(string metric) => string.Equals(Rewrite(metric), metric, StringComparison.Ordinal);

    // dispatch_received_metrics, applied to "metric<space>...": the rewritten name (up to where the relay would put its
    // first field separator) and the length of the part it hashes.
    private static byte[] RewriteBytes(string metric, out int hashedLength)
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

        var output = new byte[input.Length];
        int q = 0;
        int firstSpace = -1; // the relay's firstspace: set at the first ';' of a tagged name
        foreach (byte b in input)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                break; // the relay's name field ends here
            }

            if (b == '.')
            {
                // "don't start with separator", "duplicate elimination", no dot right after the first ';'
                if (q > 0 && output[q - 1] != '.' && q - 1 != firstSpace)
                {
                    output[q++] = b;
                }
            }
            else if (b == ';' && firstSpace < 0)
            {
                firstSpace = q;
                output[q++] = b;
            }
            else if (b != 0 && (firstSpace >= 0 || IsAllowed(b)))
            {
                output[q++] = b;
            }
            else
            {
                output[q++] = (byte)'_';
            }
        }

        if (firstSpace < 0)
        {
            // at the first space: "strip trailing separator"
            if (q > 0 && output[q - 1] == '.')
            {
                q--;
            }

            hashedLength = q;
        }
        else
        {
            hashedLength = firstSpace;
        }

        Array.Resize(ref output, q);
        return output;
    }

    private static bool IsAllowed(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'-' or (byte)'_' or (byte)':' or (byte)'#';
}
