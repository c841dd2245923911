namespace AioGraphite.Pipeline;

/// <summary>
/// A fixed-size block of formatted bytes: whole plaintext lines, or exactly one pickle frame.
/// Segments are the unit the sender writes, the replay window keeps, and the buffer bounds and drops.
/// </summary>
internal sealed class Segment
{
    public Segment(int capacity) => Buffer = GC.AllocateUninitializedArray<byte>(capacity);

    /// <summary>The storage; its length is the segment's capacity.</summary>
    public byte[] Buffer { get; }

    /// <summary>Bytes used so far.</summary>
    public int Length { get; set; }

    /// <summary>Datapoints formatted into this segment.</summary>
    public int Points { get; set; }

    /// <summary>Pickle only: items in the open APPENDS batch.</summary>
    public int BatchCount { get; set; }

    /// <summary>Pickle only: offset of the MARK that opened the current batch.</summary>
    public int BatchMarkOffset { get; set; }

    /// <summary>Monotonic number given when the segment is sealed; flushes wait on it.</summary>
    public long Sequence { get; set; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the first point went in (batch interval) or when it was last written (replay window).</summary>
    public long Timestamp { get; set; }

    /// <summary>Plaintext only: the last timestamp written and its text (points of a batch mostly share one).</summary>
    public long CachedTimestamp { get; set; } = -1;

    /// <summary>Plaintext only: the text of <see cref="CachedTimestamp"/>.</summary>
    public byte[] CachedTimestampText { get; } = new byte[20];

    /// <summary>Plaintext only: the length of <see cref="CachedTimestampText"/>.</summary>
    public int CachedTimestampLength { get; set; }

    /// <summary>True while the segment is being written again from the replay window.</summary>
    public bool IsReplay { get; set; }

    /// <summary>The unused tail of the buffer.</summary>
    public Span<byte> Free => Buffer.AsSpan(Length);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> Written => Buffer.AsMemory(0, Length);

    /// <summary>Clears the segment for reuse.</summary>
    public void Reset()
    {
        Length = 0;
        Points = 0;
        BatchCount = 0;
        BatchMarkOffset = 0;
        Sequence = 0;
        Timestamp = 0;
        IsReplay = false;
    }
}
