using System.Globalization;
using System.Text;

namespace AioGraphite.Naming;

/// <summary>
/// What carbon's whisper storage cannot hold although carbon's receivers take it: carbon reads such a point, fails to
/// write it and loses it (and, for a timestamp, every point of the series it held in its cache at the time), after
/// the client counted it delivered. Checked at the API edge so that such a point is refused with a reason instead.
/// </summary>
/// <remarks>
/// carbon 1.1.7 (<c>carbon.database.WhisperDatabase.getFilesystemPath</c>, <c>carbon.util.TaggedSeries.encode</c>)
/// stores an untagged name under <c>LOCAL_DATA_DIR/</c> + the name with every <c>.</c> turned into <c>/</c> (the
/// operating system's separator, so a <c>/</c> in a name makes a directory too; leading separators stripped) +
/// <c>.wsp</c>. A tagged name (<c>;</c>) goes under <c>_tagged/abc/def/</c> + its 64-character SHA-256 (with the
/// default <c>TAG_HASH_FILENAMES = True</c>): its length never matters to the file system. whisper 1.1.4 writes each
/// timestamp as an unsigned 32-bit integer (<c>struct.pack("!Ld", ...)</c>). A name in OpenMetrics form
/// (<c>m{k="v"}</c>, no <c>;</c>) is checked as untagged although carbon stores it under its hash when it parses: the
/// checks err on the side of refusing (a node over 255 bytes inside such a name), never of losing.
/// </remarks>
internal static class WhisperLimits
{
    /// <summary>The latest timestamp whisper can store: 2<sup>32</sup> − 1, 2106-02-07 06:28:15 UTC.</summary>
    public const long MaxTimestamp = uint.MaxValue;

    /// <summary>Timestamps from here (1e11) look like Unix milliseconds: 1973-03-03 in milliseconds, the year 5138 in seconds.</summary>
    public const long MillisecondsFrom = 100_000_000_000;

    /// <summary>Timestamps from here (1e14) look like Unix microseconds: the year 5138 in milliseconds.</summary>
    public const long MicrosecondsFrom = 100_000_000_000_000;

    /// <summary>Timestamps from here (1e17) look like Unix nanoseconds: the year 5138 in microseconds.</summary>
    public const long NanosecondsFrom = 100_000_000_000_000_000;

    /// <summary>The longest file or directory name on Linux file systems (<c>NAME_MAX</c>), in bytes.</summary>
    public const int MaxNodeBytes = 255;

    /// <summary>What carbon appends to the last node to name the file.</summary>
    public const string FileExtension = ".wsp";

    /// <summary>The longest last node: it becomes the file name <c>node.wsp</c>, which must fit <see cref="MaxNodeBytes"/>.</summary>
    public const int MaxLastNodeBytes = MaxNodeBytes - 4;

    /// <summary>
    /// The longest storage path this client lets a name have, relative to carbon's whisper directory and with
    /// <see cref="FileExtension"/>, in bytes: Linux's <c>PATH_MAX</c> of 4096 (the terminating NUL included) less 256
    /// bytes left for the directory in front (<c>/var/lib/graphite/whisper/</c> is 26). Counted on the name as written,
    /// prefix included (leading dots, which carbon strips, count too).
    /// </summary>
    public const int MaxPathBytes = 3840;

    /// <summary>The longest name (prefix included) whose path fits <see cref="MaxPathBytes"/>.</summary>
    public const int MaxNameBytes = MaxPathBytes - 4;

    /// <summary>Checks a timestamp; returns <see langword="null"/> when whisper can store it, otherwise the reason.</summary>
    /// <param name="timestamp">Unix seconds.</param>
    /// <param name="value">The point's value, named in the reason.</param>
    public static string? CheckTimestamp(long timestamp, double value)
    {
        if (timestamp < 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"its timestamp {timestamp} (value {value}) is negative");
        }

        if (timestamp <= MaxTimestamp)
        {
            return null;
        }

        string unit = timestamp switch
        {
            >= NanosecondsFrom => "; it looks like nanoseconds; divide by 1000000000",
            >= MicrosecondsFrom => "; it looks like microseconds; divide by 1000000",
            >= MillisecondsFrom => "; it looks like milliseconds; divide by 1000",
            _ => string.Empty,
        };
        return string.Create(
            CultureInfo.InvariantCulture,
            $"its timestamp {timestamp} (value {value}) is past {MaxTimestamp} (2106-02-07 06:28:15 UTC), the latest whisper can store: carbon would take the point, fail to write it and lose the points of the series it holds with it{unit}");
    }

    /// <summary>
    /// Checks the storage path of an untagged name written after a prefix of <paramref name="prefixBytes"/> bytes
    /// (which ends with a dot, and whose own nodes <see cref="CheckPrefix"/> checked); returns <see langword="null"/>
    /// when carbon can create its file, otherwise the reason.
    /// </summary>
    /// <param name="metric">The name, valid UTF-16 without <c>;</c>.</param>
    /// <param name="utf8Length">Its UTF-8 length.</param>
    /// <param name="prefixBytes">The UTF-8 length of the prefix written before it.</param>
    public static string? CheckPath(string metric, int utf8Length, int prefixBytes)
    {
        if (utf8Length <= MaxLastNodeBytes && prefixBytes + utf8Length <= MaxNameBytes)
        {
            return null; // no node can be too long: almost every name ends here
        }

        ReadOnlySpan<char> rest = metric;
        bool ascii = utf8Length == metric.Length;
        while (true)
        {
            int end = rest.IndexOfAny('.', '/');
            ReadOnlySpan<char> node = end < 0 ? rest : rest[..end];
            int bytes = ascii ? node.Length : Encoding.UTF8.GetByteCount(node);
            if (end >= 0 && bytes > MaxNodeBytes)
            {
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"its path node {MetricNameRules.Quote(node.ToString())} is {bytes} bytes in UTF-8, over the {MaxNodeBytes} a directory name can have (carbon stores each node between dots as a directory, fails to create it and loses the point)");
            }

            if (end < 0)
            {
                if (bytes > MaxLastNodeBytes)
                {
                    return string.Create(
                        CultureInfo.InvariantCulture,
                        $"its last path node {MetricNameRules.Quote(node.ToString())} is {bytes} bytes in UTF-8, over {MaxLastNodeBytes}: carbon names the file node + '{FileExtension}', a file name can have {MaxNodeBytes} bytes, and carbon would fail to create it and lose the point");
                }

                break;
            }

            rest = rest[(end + 1)..];
        }

        int nameBytes = prefixBytes + utf8Length;
        return nameBytes > MaxNameBytes
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"its storage path would be {nameBytes + FileExtension.Length} bytes (the name{(prefixBytes > 0 ? ", its prefix" : string.Empty)} and '{FileExtension}'), over the {MaxPathBytes} this client allows so that the path with carbon's storage directory in front stays within Linux's PATH_MAX of 4096 bytes")
            : null;
    }

    /// <summary>Checks the nodes of a metric prefix, all of them directories; returns <see langword="null"/> when each fits, otherwise the reason.</summary>
    /// <param name="prefix">The prefix, valid UTF-16.</param>
    public static string? CheckPrefix(string prefix)
    {
        foreach (Range range in prefix.AsSpan().SplitAny('.', '/'))
        {
            int bytes = Encoding.UTF8.GetByteCount(prefix.AsSpan(range));
            if (bytes > MaxNodeBytes)
            {
                return string.Create(CultureInfo.InvariantCulture, $"its node {MetricNameRules.Quote(prefix[range])} is {bytes} bytes in UTF-8, over the {MaxNodeBytes} a directory name can have (carbon could not store any name under it)");
            }
        }

        int prefixBytes = Encoding.UTF8.GetByteCount(prefix) + (prefix.EndsWith('.') ? 0 : 1);
        return prefixBytes + 1 > MaxNameBytes
            ? string.Create(CultureInfo.InvariantCulture, $"it is {prefixBytes} bytes in UTF-8 with its dot, leaving no room under the {MaxPathBytes}-byte storage path limit")
            : null;
    }
}
