using AioGraphite.Naming;
using AioGraphite.Protocols;
using System.Runtime.CompilerServices;

namespace AioGraphite.Pipeline;

/// <summary>
/// Checks points and encodes their names, outside every lock: a name checked before (the same string object) is found
/// in the <see cref="EncodedNameCache"/> with its bytes, and only the value and timestamp are checked; any other name goes
/// through <see cref="GraphiteDatapointValidator"/> and, when only the name decides whether its line fits, into the cache.
/// Tagged names with default tags to merge always take the full path. Thread-safe: any producer.
/// </summary>
internal sealed class PointPreparer
{
    private readonly GraphiteDatapointValidator _rules;
    private readonly WireFormat _encoder;
    private readonly byte[] _prefix;
    private readonly bool _mergesDefaultTags;
    private readonly EncodedNameCache _names = new();

    /// <param name="rules">The client's checks (prefix, default tags, line limit).</param>
    /// <param name="encoder">A format of the client's protocol, used only to encode names (it keeps no state for that).</param>
    public PointPreparer(GraphiteDatapointValidator rules, WireFormat encoder)
    {
        _rules = rules;
        _encoder = encoder;
        _prefix = rules.Prefix;
        _mergesDefaultTags = rules.DefaultTags is not null;
    }

    /// <summary>
    /// Checks one point; an invalid one comes back as <see cref="PreparedPoint.Rejected"/>. Counts the lookup in
    /// <paramref name="lookups"/>, which the caller adds to its <see cref="PipelineCounters"/> once per call. A name found
    /// in the cache takes only the checks of its value and timestamp, inlined into the caller's loop; any other goes
    /// through <see cref="PrepareNew"/>, out of line, so the common path carries none of its frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PreparedPoint Prepare(in Datapoint p, long defaultTimestamp, ref NameLookups lookups)
    {
        long ts = p.Timestamp is long t && t != 0 ? t : defaultTimestamp;
        if (p.Metric is { } known && _names.Find(known) is { } name && !(name.Tagged && _mergesDefaultTags)
            && double.IsFinite(p.Value) && (ulong)ts <= WhisperLimits.MaxTimestamp)
        {
            lookups.Hits++;
            return new PreparedPoint(name, p.Value, ts);
        }

        return PrepareNew(in p, defaultTimestamp, ref lookups);
    }

    /// <summary>A point whose name is not in the cache (or whose value or timestamp fails its check): every check.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private PreparedPoint PrepareNew(in Datapoint p, long defaultTimestamp, ref NameLookups lookups)
    {
        lookups.Misses++;
        if (!_rules.TryPrepare(in p, defaultTimestamp, out string metric, out ReadOnlySpan<byte> suffix, out int metricBytes, out long ts, out string? error))
        {
            return PreparedPoint.Rejected(p.Metric, error);
        }

        EncodedName encoded = _encoder.Encode(_prefix, metric, metricBytes, suffix);

        // Remembered when it fits a line whatever the value and timestamp (so only the name decided).
        if (ReferenceEquals(metric, p.Metric) && _rules.FitsAnyLine(metricBytes, suffix.Length))
        {
            _names.Store(encoded);
        }

        return new PreparedPoint(encoded, p.Value, ts);
    }
}
