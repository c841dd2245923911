namespace AioGraphite.Pipeline;

/// <summary>Counters of one destination, updated with <see cref="Interlocked"/>; read as a <see cref="GraphiteClientStatistics"/>.</summary>
internal sealed class SenderStatistics
{
    public long PointsAccepted;
    public long PointsWritten;
    public long PointsReplayed;
    public long PointsDroppedBufferFull;
    public long PointsUndelivered;
    public long BytesWritten;
    public long Reconnects;

    public GraphiteClientStatistics Snapshot(SendBuffer buffer, long rejected) => new()
    {
        PointsAccepted = Interlocked.Read(ref PointsAccepted),
        PointsWritten = Interlocked.Read(ref PointsWritten),
        PointsReplayed = Interlocked.Read(ref PointsReplayed),
        PointsDroppedBufferFull = Interlocked.Read(ref PointsDroppedBufferFull),
        PointsRejected = rejected,
        PointsUndelivered = Interlocked.Read(ref PointsUndelivered),
        BytesWritten = Interlocked.Read(ref BytesWritten),
        Reconnects = Interlocked.Read(ref Reconnects),
        BufferedPoints = buffer.BufferedPoints,
        BufferedBytes = buffer.BufferedBytes,
    };
}
