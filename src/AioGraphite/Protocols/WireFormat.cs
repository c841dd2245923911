namespace AioGraphite.Protocols;

/// <summary>
/// The one place a protocol's bytes are produced: frames of datapoints written straight into a
/// <see cref="Segment"/>. Used by the client's pipeline and by <see cref="IGraphiteProtocol.GenerateMessage"/>.
/// Instances carry the state of the frame being filled: one per buffer or message, used by one thread at a time
/// (<see cref="Encode"/> alone keeps no state). The pipeline calls the sealed formats' <c>Write</c> directly, once per
/// run of points, not through this class.
/// </summary>
internal abstract class WireFormat
{
    /// <summary>A new format writer for <paramref name="protocol"/> (plaintext unless it is <see cref="PickleProtocol"/>).</summary>
    public static WireFormat For(IGraphiteProtocol protocol) => protocol is PickleProtocol ? new PickleFormat() : new PlaintextFormat();

    /// <summary>Largest segment this format may fill (pickle: carbon's 1 MiB frame limit plus the length prefix).</summary>
    public abstract int MaxSegmentBytes { get; }

    /// <summary>
    /// The bytes this format writes for a name before each value (made once per name): the full name is
    /// <c>prefix + metric + suffix</c>, all checked, <paramref name="metricBytes"/> the UTF-8 length of <paramref name="metric"/>.
    /// </summary>
    public abstract EncodedName Encode(ReadOnlySpan<byte> prefix, string metric, int metricBytes, ReadOnlySpan<byte> suffix);

    /// <summary>Starts a frame in an empty segment.</summary>
    public abstract void BeginFrame(Segment segment);

    /// <summary>
    /// Appends valid points in order while the segment has room; returns how many it wrote (fewer than given when the
    /// segment is full, and nothing is written of the first that does not fit).
    /// </summary>
    public abstract int Write(Segment segment, ReadOnlySpan<PreparedPoint> points);

    /// <summary>Finishes the frame so the segment can be written.</summary>
    public abstract void EndFrame(Segment segment);

    /// <summary>Bytes a segment needs at least to take this point (used to reject points no segment can hold).</summary>
    public abstract int WorstCaseBytes(int nameBytes);
}
