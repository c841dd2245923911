namespace AioGraphite.Protocols;

/// <summary>
/// The one place a protocol's bytes are produced: frames of datapoints written straight into a
/// <see cref="Segment"/>. Used by the client's pipeline and by <see cref="IGraphiteProtocol.GenerateMessage"/>.
/// Instances carry the state of the frame being filled: one per buffer or message, used by one thread at a time.
/// </summary>
internal abstract class WireFormat
{
    /// <summary>A new format writer for <paramref name="protocol"/> (plaintext unless it is <see cref="PickleProtocol"/>).</summary>
    public static WireFormat For(IGraphiteProtocol protocol) => protocol is PickleProtocol ? new PickleFormat() : new PlaintextFormat();

    /// <summary>Largest segment this format may fill (pickle: carbon's 1 MiB frame limit plus the length prefix).</summary>
    public abstract int MaxSegmentBytes { get; }

    /// <summary>Starts a frame in an empty segment.</summary>
    public abstract void BeginFrame(Segment segment);

    /// <summary>Appends one point; returns <see langword="false"/> and writes nothing when the segment has no room.</summary>
    public abstract bool TryAppend(Segment segment, in PointText point);

    /// <summary>Finishes the frame so the segment can be written.</summary>
    public abstract void EndFrame(Segment segment);

    /// <summary>Bytes a segment needs at least to take this point (used to reject points no segment can hold).</summary>
    public abstract int WorstCaseBytes(int nameBytes);
}
