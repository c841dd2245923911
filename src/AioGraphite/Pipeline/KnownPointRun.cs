using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <summary>
/// A caller's points written without being prepared first: each point's name is the one its position had in an earlier
/// call (<see cref="PointPreparer"/>'s names by position, the same string object) and only its value and timestamp are
/// checked, as the format reaches it, under the destination's lock. It stops at the first point that is not so (a new
/// or moved name, a value or timestamp that fails its check, a name with default tags to merge); the producer prepares
/// that one and the rest outside the lock, as before. One pass over the points instead of two, with nothing stored
/// between them.
/// </summary>
internal ref struct KnownPointRun : IPointRun
{
    private readonly ReadOnlySpan<Datapoint> _points;
    private readonly EncodedName?[] _byPosition;
    private readonly int _firstPosition;
    private readonly long _defaultTimestamp;
    private readonly bool _mergesDefaultTags;
    private bool _stopped;

    /// <param name="points">The points, from the first to write.</param>
    /// <param name="firstPosition">The first point's position in the caller's batch.</param>
    /// <param name="defaultTimestamp">The timestamp of points that have none.</param>
    /// <param name="byPosition">The names by position (<see cref="PointPreparer.PositionSlots"/> slots).</param>
    /// <param name="mergesDefaultTags">Tagged names take default tags (then they are always prepared).</param>
    public KnownPointRun(ReadOnlySpan<Datapoint> points, int firstPosition, long defaultTimestamp, EncodedName?[] byPosition, bool mergesDefaultTags)
    {
        _points = points;
        _firstPosition = firstPosition;
        _defaultTimestamp = defaultTimestamp;
        _byPosition = byPosition;
        _mergesDefaultTags = mergesDefaultTags;
    }

    /// <inheritdoc/>
    public readonly int Count => _points.Length;

    /// <inheritdoc/>
    public readonly bool Stopped => _stopped;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(int index, out EncodedName name, out double value, out long timestamp)
    {
        ref readonly Datapoint p = ref Unsafe.Add(ref MemoryMarshal.GetReference(_points), index);
        EncodedName? known = PointPreparer.RememberedAt(ref PointPreparer.Slot(_byPosition, _firstPosition + index), p.Metric);
        timestamp = p.TimestampOr(_defaultTimestamp);
        value = p.Value;
        if (known is not null && PointPreparer.TakesOnlyItsNumbersChecked(known, _mergesDefaultTags, value, timestamp))
        {
            name = known;
            return true;
        }

        name = null!;
        _stopped = true;
        return false;
    }
}
