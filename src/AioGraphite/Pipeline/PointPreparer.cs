using AioGraphite.Naming;
using AioGraphite.Protocols;

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

    // Any producer, interlocked, added once per call (NameLookups.CountInto).
    private long _hits;
    private long _misses;

    /// <param name="rules">The client's checks (prefix, default tags, line limit).</param>
    /// <param name="encoder">A format of the client's protocol, used only to encode names (it keeps no state for that).</param>
    public PointPreparer(GraphiteDatapointValidator rules, WireFormat encoder)
    {
        _rules = rules;
        _encoder = encoder;
        _prefix = rules.Prefix;
        _mergesDefaultTags = rules.DefaultTags is not null;
    }

    /// <summary>Names found in the cache.</summary>
    public long Hits => Volatile.Read(ref _hits);

    /// <summary>Names checked and encoded in full (first sends, evictions, names never cached).</summary>
    public long Misses => Volatile.Read(ref _misses);

    /// <summary>
    /// Checks one point; an invalid one comes back as <see cref="PreparedPoint.Rejected"/>. Counts the lookup in
    /// <paramref name="lookups"/>, which the caller adds with <see cref="Count"/> once per call.
    /// </summary>
    public PreparedPoint Prepare(in Datapoint p, long defaultTimestamp, ref NameLookups lookups)
    {
        long ts = p.Timestamp is long t && t != 0 ? t : defaultTimestamp;
        if (p.Metric is { } known && _names.Find(known) is { } name && !(name.Tagged && _mergesDefaultTags)
            && double.IsFinite(p.Value) && (ulong)ts <= WhisperLimits.MaxTimestamp)
        {
            lookups.Hits++;
            return new PreparedPoint(name, p.Value, ts);
        }

        lookups.Misses++;
        if (!_rules.TryPrepare(in p, defaultTimestamp, out string metric, out ReadOnlySpan<byte> suffix, out int metricBytes, out ts, out string? error))
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

    /// <summary>Adds a call's lookups to the totals.</summary>
    public void Count(in NameLookups lookups)
    {
        if (lookups.Hits > 0)
        {
            Interlocked.Add(ref _hits, lookups.Hits);
        }

        if (lookups.Misses > 0)
        {
            Interlocked.Add(ref _misses, lookups.Misses);
        }
    }
}
