using AioGraphite.Naming;
using AioGraphite.Protocols;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AioGraphite.Pipeline;

/// <summary>
/// Checks points and encodes their names, outside every lock: a name checked before (the same string object) is found
/// with its bytes — for a batch's points first where the same position of an earlier batch had it
/// (<see cref="PrepareAt"/>), then in the <see cref="EncodedNameCache"/> — and only the value and timestamp are checked; any other name goes
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

    // The name each position of a call had when last found in the cache: a service that sends the same names in the
    // same order call after call (a registry's snapshot) finds its name with one load and one comparison, before the
    // cache's identity hash and set. Any producer: entries are whole references to immutable names, a stale or foreign
    // one reads as a miss.
    private readonly EncodedName?[] _byPosition = new EncodedName?[PositionSlots];

    /// <summary>Positions remembered (a power of two: a call's point <c>i</c> uses slot <c>i mod PositionSlots</c>).</summary>
    internal const int PositionSlots = 4096;

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
        long ts = p.TimestampOr(defaultTimestamp);
        if (p.Metric is { } known && _names.Find(known) is { } name && TakesOnlyItsNumbersChecked(name, p.Value, ts))
        {
            lookups.Hits++;
            return new PreparedPoint(name, p.Value, ts);
        }

        return PrepareNew(in p, defaultTimestamp, ref lookups);
    }

    /// <summary>
    /// <see cref="Prepare"/> for the point at <paramref name="position"/> in the caller's batch: the name that position
    /// had last time is tried first, then the cache (which then refreshes the position).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PreparedPoint PrepareAt(in Datapoint p, int position, long defaultTimestamp, ref NameLookups lookups)
    {
        long ts = p.TimestampOr(defaultTimestamp);
        if (p.Metric is { } known)
        {
            ref EncodedName? slot = ref Slot(_byPosition, position);
            EncodedName? name = RememberedAt(ref slot, known);
            if (name is null)
            {
                name = _names.Find(known);
                if (name is not null)
                {
                    slot = name;
                }
            }

            if (name is not null && TakesOnlyItsNumbersChecked(name, p.Value, ts))
            {
                lookups.Hits++;
                return new PreparedPoint(name, p.Value, ts);
            }
        }

        return PrepareNew(in p, defaultTimestamp, ref lookups);
    }

    /// <summary>The slot of <paramref name="position"/> in <paramref name="byPosition"/> (<see cref="PositionSlots"/> of them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref EncodedName? Slot(EncodedName?[] byPosition, int position) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(byPosition), position & (PositionSlots - 1));

    /// <summary>The name in <paramref name="slot"/> when it is <paramref name="metric"/>'s (the same string object), else null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static EncodedName? RememberedAt(ref EncodedName? slot, string? metric) =>
        slot is { } name && ReferenceEquals(name.Metric, metric) ? name : null;

    /// <summary>
    /// Whether a point whose name was found needs no more than its value and timestamp checked (and those pass): not a
    /// tagged name with default tags to merge into it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TakesOnlyItsNumbersChecked(EncodedName name, double value, long timestamp) =>
        TakesOnlyItsNumbersChecked(name, _mergesDefaultTags, value, timestamp);

    /// <summary>
    /// <see cref="TakesOnlyItsNumbersChecked(EncodedName, double, long)"/> for a client that does or does not merge
    /// default tags (<paramref name="mergesDefaultTags"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TakesOnlyItsNumbersChecked(EncodedName name, bool mergesDefaultTags, double value, long timestamp) =>
        !(name.Tagged && mergesDefaultTags) && double.IsFinite(value) && (ulong)timestamp <= WhisperLimits.MaxTimestamp;

    /// <summary>
    /// The points of a call from <paramref name="start"/> as a <see cref="KnownPointRun"/>, written without being
    /// prepared while each name is the one its position had before; false when the first one is not (a new caller, or
    /// one whose names moved: it prepares them, which remembers their positions).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryKnownRun(ReadOnlySpan<Datapoint> points, int start, long defaultTimestamp, out KnownPointRun run)
    {
        run = new KnownPointRun(points[start..], start, defaultTimestamp, _byPosition, _mergesDefaultTags);
        return start < points.Length && run.TryGet(0, out _, out _, out _);
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
