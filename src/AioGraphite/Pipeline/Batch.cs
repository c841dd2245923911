using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <summary>
/// A <see cref="Segment"/> on its way through the pipeline, with the bookkeeping that travels with its bytes. It moves one
/// way: the buffer opens and seals it (<see cref="OpenedAt"/>, <see cref="Durability"/>), the sender loop writes it, the
/// delivery ledger tracks it (<see cref="StreamEnd"/>, <see cref="WrittenAt"/>, <see cref="Delivered"/>,
/// <see cref="ConsumedAt"/>, <see cref="IsReplay"/>), and it returns to the pool (<see cref="Reset"/>).
/// </summary>
internal sealed class Batch : Segment
{
    public Batch(int capacity)
        : base(capacity)
    {
    }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the batch was opened (the batch interval counts from it).</summary>
    public long OpenedAt { get; set; }

    /// <summary>True while the batch is being written again after a lost connection.</summary>
    public bool IsReplay { get; set; }

    /// <summary>True once carbon consumed the batch at least once (counted as delivered).</summary>
    public bool Delivered { get; set; }

    /// <summary>Offset in the connection's byte stream just after this batch's last byte (set when written).</summary>
    public long StreamEnd { get; set; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the batch was last written (carbon read it no earlier).</summary>
    public long WrittenAt { get; set; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when carbon was last seen consuming the batch (replay window age).</summary>
    public long ConsumedAt { get; set; }

    /// <summary>With a disk spool: whether the batch is on disk yet.</summary>
    public BatchDurability Durability { get; set; }

    /// <summary>Clears the batch for reuse.</summary>
    public override void Reset()
    {
        base.Reset();
        OpenedAt = 0;
        IsReplay = false;
        Delivered = false;
        StreamEnd = 0;
        WrittenAt = 0;
        ConsumedAt = 0;
        Durability = BatchDurability.MemoryOnly;
    }
}
