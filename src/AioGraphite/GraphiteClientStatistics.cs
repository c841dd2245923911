namespace AioGraphite;

/// <summary>A snapshot of what a <see cref="GraphiteClient"/> has done since it was created.</summary>
public readonly record struct GraphiteClientStatistics
{
    /// <summary>Points accepted into the buffer.</summary>
    public long PointsAccepted { get; init; }

    /// <summary>Points written to the socket (first writes; replays are counted in <see cref="PointsReplayed"/>).</summary>
    public long PointsWritten { get; init; }

    /// <summary>
    /// Points carbon's process has read (each counted once): on Linux as soon as the kernel's TCP counters show it
    /// (acknowledged, and the receive window they took given back), elsewhere when written; and always when carbon closes
    /// the connection in order after the client's end of stream (<see cref="GraphiteClient.WaitForDeliveryAsync"/>,
    /// closing). Over UDP, points sent.
    /// </summary>
    public long PointsDelivered { get; init; }

    /// <summary>Points written again after a reconnect, from the replay window.</summary>
    public long PointsReplayed { get; init; }

    /// <summary>Points dropped because the buffer was full.</summary>
    public long PointsDroppedBufferFull { get; init; }

    /// <summary>Points rejected at the API edge (invalid name, non-finite value, negative timestamp).</summary>
    public long PointsRejected { get; init; }

    /// <summary>
    /// Points accepted and never delivered: carbon had not consumed them when the client closed and the drain timeout ran
    /// out, a UDP datagram could not be sent, or the connection was lost with replay turned off.
    /// </summary>
    public long PointsUndelivered { get; init; }

    /// <summary>
    /// Points carbon had read (counted in <see cref="PointsDelivered"/>) but may have lost, that the client held for replay
    /// when it closed without a clean end (the drain timeout ran out, or carbon's end-of-stream receipt never came):
    /// waiting to be written again after a lost connection, or read less than <see cref="GraphiteClientOptions.ReplayWindow"/>
    /// of carbon's proven running time before. With <see cref="GraphiteClientOptions.SpoolDirectory"/> they stay in the spool
    /// and the next client opened on it sends them first; without one they are not sent again. A close that carbon confirms
    /// in order after the last write keeps none.
    /// </summary>
    public long PointsNotReplayed { get; init; }

    /// <summary>Bytes written to the socket, replays included.</summary>
    public long BytesWritten { get; init; }

    /// <summary>Successful reconnections after a lost or failed connection.</summary>
    public long Reconnects { get; init; }

    /// <summary>Points accepted and not yet written.</summary>
    public long BufferedPoints { get; init; }

    /// <summary>Bytes accepted and not yet written.</summary>
    public long BufferedBytes { get; init; }

    /// <summary>Points written and not yet consumed by carbon (including those waiting to be written again after a lost connection).</summary>
    public long InFlightPoints { get; init; }

    /// <summary>The disk spool (zeros without <see cref="GraphiteClientOptions.SpoolDirectory"/>).</summary>
    public GraphiteSpoolStatistics Spool { get; init; }

    /// <summary>
    /// Name lookups that found the metric name (the same string object) in the client's cache of checked and encoded
    /// names, so that only the value and timestamp were checked: one per point, and once more for each point of a send
    /// that waited for room and resumed. With several destinations a point counts once, in the client's
    /// total (not in a destination's).
    /// </summary>
    public long NameCacheHits { get; init; }

    /// <summary>
    /// Name lookups that checked and encoded the name in full: a name's first send, a name evicted from the cache (up to 16,384
    /// entries), a new string object for a name sent before, or a name the cache never keeps (tagged with default tags to
    /// merge, or too long to fit a line whatever its value). Counted as <see cref="NameCacheHits"/>; hits over hits plus
    /// misses is the hit rate.
    /// </summary>
    public long NameCacheMisses { get; init; }

    /// <summary>Every accepted point that will never be written: dropped for a full buffer or undelivered.</summary>
    public long PointsDropped => PointsDroppedBufferFull + PointsUndelivered;

    /// <summary>Adds two snapshots (destinations of one client).</summary>
    internal GraphiteClientStatistics Plus(GraphiteClientStatistics other) => new()
    {
        PointsAccepted = PointsAccepted + other.PointsAccepted,
        PointsWritten = PointsWritten + other.PointsWritten,
        PointsDelivered = PointsDelivered + other.PointsDelivered,
        PointsReplayed = PointsReplayed + other.PointsReplayed,
        PointsDroppedBufferFull = PointsDroppedBufferFull + other.PointsDroppedBufferFull,
        PointsRejected = PointsRejected + other.PointsRejected,
        PointsUndelivered = PointsUndelivered + other.PointsUndelivered,
        PointsNotReplayed = PointsNotReplayed + other.PointsNotReplayed,
        BytesWritten = BytesWritten + other.BytesWritten,
        Reconnects = Reconnects + other.Reconnects,
        BufferedPoints = BufferedPoints + other.BufferedPoints,
        BufferedBytes = BufferedBytes + other.BufferedBytes,
        InFlightPoints = InFlightPoints + other.InFlightPoints,
        Spool = Spool.Plus(other.Spool),
        NameCacheHits = NameCacheHits + other.NameCacheHits,
        NameCacheMisses = NameCacheMisses + other.NameCacheMisses,
    };
}
