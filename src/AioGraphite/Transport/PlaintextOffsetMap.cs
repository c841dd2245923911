namespace AioGraphite.Transport;

/// <summary>
/// Over TLS the kernel counts the bytes of the TCP stream (TLS records: handshake, headers, tags, close_notify), while
/// the pipeline counts plaintext. After every plaintext write the connection records where the write ended in both
/// streams; TCP-level evidence ("the peer consumed the TCP stream up to X") then means "consumed the plaintext up to
/// the end of the last write whose TCP end is at most X". The answer is exact at write boundaries (the pipeline writes
/// one segment per TLS write, and a segment counts only once it is consumed whole) and never ahead of the truth: a
/// write's plaintext counts only once every byte TLS produced for it, and everything before it, is consumed.
/// Loop-thread only.
/// </summary>
internal sealed class PlaintextOffsetMap
{
    private readonly Queue<(long Plaintext, long Wire)> _ends = new();
    private long _lastPlaintext;
    private long _lastWire;
    private long _consumed;

    /// <summary>Write ends recorded and not yet consumed.</summary>
    public int Pending => _ends.Count;

    /// <summary>Plaintext consumed so far (the last answer of <see cref="ConsumedThrough"/>).</summary>
    public long Consumed => _consumed;

    /// <summary>A plaintext write ended at <paramref name="plaintextEnd"/>, and TLS had written <paramref name="wireEnd"/> bytes to the socket by then.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An offset went backwards, or the wire end is below the plaintext end (TLS only adds bytes).</exception>
    public void Add(long plaintextEnd, long wireEnd)
    {
        if (plaintextEnd < _lastPlaintext || wireEnd < _lastWire || wireEnd < plaintextEnd)
        {
            throw new ArgumentOutOfRangeException(nameof(wireEnd), $"offsets must not go backwards and the wire end must cover the plaintext: ({plaintextEnd}, {wireEnd}) after ({_lastPlaintext}, {_lastWire})");
        }

        _lastPlaintext = plaintextEnd;
        _lastWire = wireEnd;
        _ends.Enqueue((plaintextEnd, wireEnd));
    }

    /// <summary>Plaintext consumed when the peer has consumed the TCP stream through <paramref name="wireConsumed"/> (monotonic).</summary>
    public long ConsumedThrough(long wireConsumed)
    {
        while (_ends.Count > 0 && _ends.Peek().Wire <= wireConsumed)
        {
            _consumed = _ends.Dequeue().Plaintext;
        }

        return _consumed;
    }
}
