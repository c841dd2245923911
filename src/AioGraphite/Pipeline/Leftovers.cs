using AioGraphite.Protocols;
using AioGraphite.Spool;

namespace AioGraphite.Pipeline;

/// <summary>
/// What carbon had not consumed when the client closed: points kept on disk by the spool (sent by the next client opened
/// on it) and points lost with the process's memory.
/// </summary>
internal struct Leftovers
{
    public long LostPoints;
    public long KeptPoints;
    public long LowestKept;

    public Leftovers() => LowestKept = long.MaxValue;

    public readonly long Points => LostPoints + KeptPoints;

    public void Add(Segment segment)
    {
        if (segment.Durability == SegmentDurability.Spooled)
        {
            KeptPoints += segment.Points;
            LowestKept = Math.Min(LowestKept, segment.Sequence);
        }
        else
        {
            LostPoints += segment.Points;
        }
    }

    public void Add(in SpoolLocation record)
    {
        KeptPoints += record.Points;
        LowestKept = Math.Min(LowestKept, record.Sequence);
    }
}
