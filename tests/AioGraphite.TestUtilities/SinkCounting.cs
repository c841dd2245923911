namespace AioGraphite.TestUtilities;

/// <summary>What a <see cref="LoopbackSink"/> counts besides bytes.</summary>
public enum SinkCounting
{
    /// <summary>Bytes only.</summary>
    BytesOnly,

    /// <summary>Plaintext: every <c>\n</c> ends one point.</summary>
    Lines,

    /// <summary>Pickle: frames are split on their length prefix and every <c>(name, (timestamp, value))</c> item is counted.</summary>
    PickleItems,
}
