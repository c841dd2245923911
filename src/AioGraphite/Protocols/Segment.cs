namespace AioGraphite.Protocols;

/// <summary>
/// A fixed-size block of formatted bytes: whole plaintext lines, or exactly one pickle frame while it is being
/// filled (retained segments may hold several frames once the pipeline packs them together).
/// Segments are the unit the sender writes, the delivery ledger tracks and replays, and the buffer bounds and drops;
/// the pipeline's bookkeeping travels with the bytes. Per-format state lives in the <see cref="WireFormat"/>, not here.
/// </summary>
internal sealed class Segment
{
    /// <summary>
    /// Segments are long-lived pooled buffers (the buffer and the replay window hold up to 128 MiB of them): they live on
    /// the pinned object heap, so the collector never copies them through the generations nor pins them for a send.
    /// </summary>
    public Segment(int capacity) => Buffer = GC.AllocateUninitializedArray<byte>(capacity, pinned: true);

    /// <summary>Writes one byte into every memory page of the buffer, so that its first-touch page faults happen now, on this thread.</summary>
    public void TouchPages()
    {
        int page = Environment.SystemPageSize;
        for (int i = 0; i < Buffer.Length; i += page)
        {
            Buffer[i] = 0;
        }
    }

    /// <summary>The storage; its length is the segment's capacity.</summary>
    public byte[] Buffer { get; }

    /// <summary>Bytes used so far.</summary>
    public int Length { get; set; }

    /// <summary>Datapoints formatted into this segment.</summary>
    public int Points { get; set; }

    /// <summary>Monotonic number given when the segment is sealed; flushes and delivery waits compare against it.</summary>
    public long Sequence { get; set; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the segment was opened (the batch interval counts from it).</summary>
    public long OpenedAt { get; set; }

    /// <summary>True while the segment is being written again after a lost connection.</summary>
    public bool IsReplay { get; set; }

    /// <summary>True once carbon consumed the segment at least once (counted as delivered).</summary>
    public bool Delivered { get; set; }

    /// <summary>Offset in the connection's byte stream just after this segment's last byte (set when written).</summary>
    public long StreamEnd { get; set; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the segment was last written (carbon read it no earlier).</summary>
    public long WrittenAt { get; set; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when carbon was last seen consuming the segment (replay window age).</summary>
    public long ConsumedAt { get; set; }

    /// <summary>With a disk spool: whether the segment is on disk yet.</summary>
    public SegmentDurability Durability { get; set; }

    /// <summary>The unused tail of the buffer.</summary>
    public Span<byte> Free => Buffer.AsSpan(Length);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> Written => Buffer.AsMemory(0, Length);

    /// <summary>Clears the segment for reuse.</summary>
    public void Reset()
    {
        Length = 0;
        Points = 0;
        Sequence = 0;
        OpenedAt = 0;
        IsReplay = false;
        Delivered = false;
        StreamEnd = 0;
        WrittenAt = 0;
        ConsumedAt = 0;
        Durability = SegmentDurability.MemoryOnly;
    }
}
