using System.Diagnostics.CodeAnalysis;
using System.Text;
using AioGraphite.Naming;
using AioGraphite.Protocols;

namespace AioGraphite;

/// <summary>
/// Checks datapoints without sending them, by exactly the rules a <see cref="GraphiteClient"/> applies before it accepts
/// one (the client runs its checks through this type): a metric name that is not null or empty and has no whitespace or
/// control character, tags by carbon's rules, a finite value, a timestamp whisper can store (0 to 4294967295: not
/// negative, and not in milliseconds), a line within carbon's 16384-byte limit (or the UDP datagram) once the client's
/// <see cref="GraphiteClientOptions.MetricPrefix"/> and <see cref="GraphiteClientOptions.DefaultTags"/> are added, and
/// for an untagged name a storage path carbon can create: no node (between dots or slashes) over 255 bytes in UTF-8,
/// the last one (the file, with <c>.wsp</c>) not over 251, the whole name with its prefix not over 3836. Thread-safe.
/// </summary>
/// <example>
/// <code>
/// if (!GraphiteDatapointValidator.Default.TryValidate(new Datapoint(name, value), out string? reason))
/// {
///     logger.LogWarning("Not a Graphite point: {Reason}", reason);
/// }
/// </code>
/// </example>
public sealed class GraphiteDatapointValidator
{
    private readonly TimeProvider _time;

    /// <summary>Creates a validator for a client with <paramref name="options"/>: its prefix, default tags and transport count.</summary>
    /// <param name="options">The client's settings.</param>
    /// <exception cref="ArgumentException">A setting is invalid (as <see cref="GraphiteClientOptions.Validate"/> reports it).</exception>
    public GraphiteDatapointValidator(GraphiteClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _time = options.TimeProvider;
        string prefix = options.MetricPrefix is null ? string.Empty : options.MetricPrefix.EndsWith('.') ? options.MetricPrefix : options.MetricPrefix + ".";
        PrefixText = prefix;
        Prefix = Encoding.UTF8.GetBytes(prefix);
        DefaultTags = options.DefaultTags is { Count: > 0 } tags ? tags : null;
        TagSuffixText = DefaultTags is null ? string.Empty : TaggedName.FormatTagSuffix(DefaultTags, nameof(options.DefaultTags));
        TagSuffix = Encoding.UTF8.GetBytes(TagSuffixText);
        MaxLineBytes = options.Transport == GraphiteTransport.Udp
            ? Math.Min(MetricNameRules.MaxLineBytes, options.MaxDatagramBytes - 1)
            : MetricNameRules.MaxLineBytes;
    }

    /// <summary>The rules of a client with the default options (no prefix, no default tags, TCP): carbon's own.</summary>
    public static GraphiteDatapointValidator Default { get; } = new(GraphiteClientOptions.Default);

    /// <summary>The metric prefix with its dot, as written before every name (UTF-8).</summary>
    internal byte[] Prefix { get; }

    /// <summary>The metric prefix with its dot.</summary>
    internal string PrefixText { get; }

    /// <summary>The default tags as written after an untagged name (<c>;a=b;c=d</c>, UTF-8).</summary>
    internal byte[] TagSuffix { get; }

    /// <summary>The default tags as written after an untagged name.</summary>
    internal string TagSuffixText { get; }

    /// <summary>The default tags, or <see langword="null"/> when there are none.</summary>
    internal IReadOnlyDictionary<string, string>? DefaultTags { get; }

    /// <summary>The longest line, without its newline: carbon's limit, or the UDP datagram's.</summary>
    internal int MaxLineBytes { get; }

    /// <summary>Checks <paramref name="point"/>.</summary>
    /// <param name="point">The point; a timestamp of <see langword="null"/> or 0 stands for now (the options' clock).</param>
    /// <param name="reason">Why the client would reject it, for example <c>its value NaN is not a finite number (...)</c>; <see langword="null"/> when it is valid.</param>
    /// <returns>Whether the client would accept the point.</returns>
    public bool TryValidate(Datapoint point, [NotNullWhen(false)] out string? reason) =>
        TryPrepare(in point, point.Timestamp is long t && t != 0 ? t : Now(), out _, out _, out _, out _, out reason);

    /// <summary>Checks <paramref name="point"/> and throws what <see cref="GraphiteClient.SendAsync"/> would throw for it.</summary>
    /// <param name="point">The point; a timestamp of <see langword="null"/> or 0 stands for now (the options' clock).</param>
    /// <exception cref="ArgumentException">The point is invalid; the message names the metric and the reason.</exception>
    public void Validate(Datapoint point)
    {
        if (!TryValidate(point, out string? reason))
        {
            throw DatapointRules.Rejected(point.Metric, reason, nameof(point));
        }
    }

    /// <summary>
    /// Applies the default timestamp and tags and checks the point, giving what the client writes: the name (tags merged),
    /// the suffix to write after it, its UTF-8 length and the timestamp; false with the reason when it is invalid.
    /// </summary>
    internal bool TryPrepare(in Datapoint p, long defaultTimestamp, out string metric, out ReadOnlySpan<byte> suffix, out int metricBytes, out long ts, [NotNullWhen(false)] out string? error)
    {
        ts = p.TimestampOr(defaultTimestamp);
        metric = p.Metric;
        suffix = TagSuffix;
        if (DefaultTags is not null && metric is not null && metric.Contains(';', StringComparison.Ordinal))
        {
            metric = MergeDefaultTags(metric);
            suffix = default;
        }

        error = DatapointRules.Check(metric, p.Value, ts, Prefix.Length, suffix.Length, MaxLineBytes, out metricBytes);
        return error is null;
    }

    /// <summary>Whether a name of <paramref name="metricBytes"/> fits a line whatever the value and timestamp (so only the name decides).</summary>
    internal bool FitsAnyLine(int metricBytes, int suffixBytes) =>
        Prefix.Length + metricBytes + suffixBytes <= MaxLineBytes - MetricNameRules.MaxNumbersBytes;

    private string MergeDefaultTags(string metric) =>
        MetricNameRules.Check(metric, out _) is null && TagRules.CheckTaggedPath(metric) is null
            ? TaggedName.Merge(metric, DefaultTags!)
            : metric;

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();
}
