using System.Runtime.CompilerServices;

namespace AioGraphite.Protocols;

/// <summary>
/// A fixed-size block of formatted bytes: whole plaintext lines, or exactly one pickle frame while it is being
/// filled (retained segments may hold several frames once the pipeline packs them together), with its point count and
/// the sequence number it is stored under in the spool. Only bytes: the pipeline's bookkeeping lives in its subclass
/// <c>Pipeline.Batch</c>, per-format state in the <see cref="WireFormat"/>.
/// </summary>
internal class Segment
{
    /// <summary>
    /// Segments are long-lived pooled buffers (the buffer and the replay window hold up to 128 MiB of them): they live on
    /// the pinned object heap, so the collector never copies them through the generations nor pins them for a send.
    /// </summary>
    /// <param name="capacity">Bytes it holds.</param>
    /// <param name="pinned">On the pinned object heap (the pipeline's pooled segments); false for a short-lived one (a message built for <see cref="IGraphiteProtocol.GenerateMessage"/>), which the collector frees young.</param>
    public Segment(int capacity, bool pinned = true) => Buffer = GC.AllocateUninitializedArray<byte>(capacity, pinned);

    /// <summary>Writes one byte into every memory page of the buffer, so that its first-touch page faults happen now, on this thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a loop run once per segment: never left to tier-0 code
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

    /// <summary>The unused tail of the buffer.</summary>
    public Span<byte> Free => Buffer.AsSpan(Length);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> Written => Buffer.AsMemory(0, Length);

    /// <summary>Clears the segment for reuse.</summary>
    public virtual void Reset()
    {
        Length = 0;
        Points = 0;
        Sequence = 0;
    }
}
