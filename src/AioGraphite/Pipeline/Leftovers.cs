using AioGraphite.Protocols;
using AioGraphite.Spool;

namespace AioGraphite.Pipeline;

/// <summary>
/// What the client still held when it closed: points carbon never consumed, and points it consumed but may still lose
/// (waiting for replay after a lost connection, or consumed within the replay window). Those on disk stay in the spool for
/// the next client opened on it; the others are lost with the process's memory.
/// </summary>
internal struct Leftovers
{
    /// <summary>Points carbon never consumed (kept on disk or lost).</summary>
    public long UndeliveredPoints;

    /// <summary>Points carbon consumed but may have lost, that this client will not send again (kept on disk or lost).</summary>
    public long NotReplayedPoints;

    /// <summary>Points on disk (of either kind): the next client sends them first.</summary>
    public long KeptPoints;

    /// <summary>The lowest sequence on disk that must stay (long.MaxValue: none).</summary>
    public long LowestKept;

    public Leftovers() => LowestKept = long.MaxValue;

    /// <summary>Points lost with the process's memory (neither consumed nor on disk, or consumed and at risk without a disk).</summary>
    public readonly long LostPoints => UndeliveredPoints + NotReplayedPoints - KeptPoints;

    public void Add(Batch segment)
    {
        if (segment.Delivered)
        {
            NotReplayedPoints += segment.Points;
        }
        else
        {
            UndeliveredPoints += segment.Points;
        }

        if (segment.Durability == BatchDurability.Spooled)
        {
            KeptPoints += segment.Points;
            LowestKept = Math.Min(LowestKept, segment.Sequence);
        }
    }

    public void Add(in SpoolLocation record)
    {
        UndeliveredPoints += record.Points;
        KeptPoints += record.Points;
        LowestKept = Math.Min(LowestKept, record.Sequence);
    }
}
