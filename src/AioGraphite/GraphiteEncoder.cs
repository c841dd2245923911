using System.Buffers;
using System.Globalization;
using System.Text;
using AioGraphite.Naming;

namespace AioGraphite;

/// <summary>
/// Turns arbitrary text into a safe Graphite metric-path section and back, byte for byte as Python's
/// aiographite <c>GraphiteEncoder</c> does, so that metrics written by either library land in the same series.
/// </summary>
/// <remarks>
/// <para>
/// The encoding is: raw RFC 3492 punycode of the whole text over Unicode code points (not IDNA: no <c>xn--</c>
/// prefix, no normalisation, case kept, no length limit), then Python's <c>urllib.parse.quote</c> with its defaults
/// (keeps <c>A-Z a-z 0-9 _ . - ~ /</c>, every other byte becomes <c>%XX</c> with upper-case hex), then every
/// <c>.</c> becomes <c>%2E</c> so that a section never splits the metric path.
/// </para>
/// <para>
/// Punycode copies all ASCII characters first and appends a <c>-</c> delimiter whenever there was at least one,
/// even when nothing non-ASCII follows: <c>"abc"</c> encodes as <c>"abc-"</c>, <c>"-"</c> as <c>"--"</c>,
/// and the empty string as the empty string.
/// </para>
/// <para>
/// Quirk inherited from the original: <c>/</c> is one of <c>quote</c>'s safe characters, so it is kept as is
/// (<c>"a/b"</c> encodes as <c>"a/b-"</c>), and carbon's whisper storage then turns it into a sub-directory.
/// It is kept for compatibility with series already written by the Python library.
/// </para>
/// </remarks>
/// <example>
/// <code language="csharp">
/// GraphiteEncoder.Encode("abc @edf#");      // "abc%20%40edf%23-"
/// GraphiteEncoder.Encode("café");           // "caf-dma"
/// GraphiteEncoder.Encode("velo@zillow.com"); // "velo%40zillow%2Ecom-"
/// GraphiteEncoder.Decode("caf-dma");        // "café"
/// GraphiteEncoder.CleanAndJoinMetricParts(["sproc performance", "velo@zillow.com", "::EH12"]);
/// // "sproc%20performance-.velo%40zillow%2Ecom-.%3A%3AEH12-"
/// </code>
/// </example>
public static class GraphiteEncoder
{
    private const int StackLimit = 512;

    /// <summary>
    /// Encodes one section of a metric path (the text between two dots) as Python's
    /// <c>GraphiteEncoder.encode</c> does: raw punycode, then <c>urllib.parse.quote</c>, then <c>.</c> → <c>%2E</c>.
    /// </summary>
    /// <param name="sectionName">Any text, including the empty string, dots, spaces, control characters and
    /// characters outside the Basic Multilingual Plane. It must be well-formed UTF-16.</param>
    /// <returns>
    /// The encoded section. It contains only <c>A-Z a-z 0-9 _ - ~ / %</c> and never a <c>.</c>; it ends with
    /// <c>-</c> whenever <paramref name="sectionName"/> holds at least one ASCII character, and it is empty only
    /// when <paramref name="sectionName"/> is. A <c>/</c> is kept as is (see the remarks on <see cref="GraphiteEncoder"/>).
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="sectionName"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sectionName"/> contains a lone (unpaired) surrogate,
    /// which is not a Unicode character; the message gives its index.</exception>
    /// <example>
    /// <code language="csharp">
    /// GraphiteEncoder.Encode("abc @edf#"); // "abc%20%40edf%23-"
    /// GraphiteEncoder.Encode("café");      // "caf-dma"
    /// GraphiteEncoder.Encode("_.");        // "_%2E-"
    /// GraphiteEncoder.Encode("a/b");       // "a/b-" (the '/' is kept: carbon makes a sub-directory)
    /// GraphiteEncoder.Encode("");          // ""
    /// </code>
    /// </example>
    public static string Encode(string sectionName)
    {
        ArgumentNullException.ThrowIfNull(sectionName);
        if (sectionName.Length == 0)
        {
            return string.Empty;
        }

        if (Punycode.IsAllBasic(sectionName))
        {
            // Punycode of pure ASCII is the text itself plus the '-' delimiter, and '-' needs no quoting.
            int quotedLength = PythonQuote.QuotedLength(sectionName, escapeDots: true, nameof(sectionName));
            return string.Create(quotedLength + 1, sectionName, static (span, text) =>
            {
                int written = PythonQuote.Quote(text, span, escapeDots: true, nameof(sectionName));
                span[written] = '-';
            });
        }

        char[]? rented = null;
        int capacity = (sectionName.Length * 4) + 16;
        Span<char> buffer = capacity <= StackLimit
            ? stackalloc char[StackLimit]
            : (rented = ArrayPool<char>.Shared.Rent(capacity));
        try
        {
            int written;
            while (!Punycode.TryEncode(sectionName, buffer, out written, nameof(sectionName)))
            {
                char[] larger = ArrayPool<char>.Shared.Rent(buffer.Length * 2);
                if (rented is not null)
                {
                    ArrayPool<char>.Shared.Return(rented);
                }

                rented = larger;
                buffer = larger;
            }

            ReadOnlySpan<char> punycode = buffer[..written];
            int length = PythonQuote.QuotedLength(punycode, escapeDots: true, nameof(sectionName));
            if (length == punycode.Length)
            {
                return new string(punycode);
            }

            return string.Create(length, punycode, static (span, text) =>
                PythonQuote.Quote(text, span, escapeDots: true, nameof(sectionName)));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Decodes a section written by <see cref="Encode"/> (or by Python's aiographite): percent-decoding of the
    /// UTF-8 bytes, then raw punycode decoding (split at the last <c>-</c>; without any <c>-</c> the whole text is
    /// the non-ASCII part; punycode digits are case-insensitive).
    /// </summary>
    /// <param name="encoded">An encoded section, for example <c>"caf-dma"</c>.</param>
    /// <returns>The original text; <c>Decode(Encode(s)) == s</c> for every well-formed string <c>s</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="encoded"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">
    /// <paramref name="encoded"/> is not a valid encoding: it contains a non-ASCII character, a <c>%</c> not followed
    /// by two hexadecimal digits, percent-escapes whose bytes are not UTF-8, a character that is not a punycode digit,
    /// a truncated or overflowing punycode delta, or it decodes to a surrogate code point. The message quotes
    /// <paramref name="encoded"/> and says which.
    /// </exception>
    /// <example>
    /// <code language="csharp">
    /// GraphiteEncoder.Decode("abc%20%40edf%23-"); // "abc @edf#"
    /// GraphiteEncoder.Decode("caf-dma");          // "café"
    /// GraphiteEncoder.Decode("%");                // throws FormatException
    /// </code>
    /// </example>
    public static string Decode(string encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        string punycode = PythonQuote.Unquote(encoded);
        return Punycode.Decode(punycode, encoded);
    }

    /// <summary>
    /// Encodes every part with <see cref="Encode"/> and joins them with <c>.</c>, giving a full metric path in
    /// which each part is exactly one path section, as Python's <c>clean_and_join_metric_parts</c> does.
    /// </summary>
    /// <param name="metricParts">The sections of the metric path, in order. Empty parts give empty sections.</param>
    /// <returns>The encoded metric path; the empty string when there are no parts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="metricParts"/> or one of its elements is
    /// <see langword="null"/>; the message gives the element's index.</exception>
    /// <exception cref="ArgumentException">A part contains a lone (unpaired) surrogate.</exception>
    /// <example>
    /// <code language="csharp">
    /// GraphiteEncoder.CleanAndJoinMetricParts(["sproc performance", "velo@zillow.com", "::EH12"]);
    /// // "sproc%20performance-.velo%40zillow%2Ecom-.%3A%3AEH12-"
    /// GraphiteEncoder.CleanAndJoinMetricParts(["café", "x y"]); // "caf-dma.x%20y-"
    /// </code>
    /// </example>
    public static string CleanAndJoinMetricParts(IEnumerable<string> metricParts)
    {
        ArgumentNullException.ThrowIfNull(metricParts);
        StringBuilder? builder = null;
        string? first = null;
        int index = 0;
        foreach (string part in metricParts)
        {
            if (part is null)
            {
                throw new ArgumentNullException(
                    nameof(metricParts),
                    string.Create(CultureInfo.InvariantCulture, $"metricParts[{index}] is null; every part of a metric path must be a string."));
            }

            string encodedPart = Encode(part);
            if (index == 0)
            {
                first = encodedPart;
            }
            else
            {
                builder ??= new StringBuilder(first);
                builder.Append('.').Append(encodedPart);
            }

            index++;
        }

        return builder?.ToString() ?? first ?? string.Empty;
    }
}
