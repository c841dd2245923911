namespace AioGraphite;

/// <summary>A snapshot of what a <see cref="GraphiteClient"/> has done since it was created.</summary>
public readonly record struct GraphiteClientStatistics
{
    /// <summary>Points accepted into the buffer.</summary>
    public long PointsAccepted { get; init; }

    /// <summary>Points written to the socket (first writes; replays are counted in <see cref="PointsReplayed"/>).</summary>
    public long PointsWritten { get; init; }

    /// <summary>Points written again after a reconnect, from the replay window.</summary>
    public long PointsReplayed { get; init; }

    /// <summary>Points dropped because the buffer was full.</summary>
    public long PointsDroppedBufferFull { get; init; }

    /// <summary>Points rejected at the API edge (invalid name, non-finite value, negative timestamp).</summary>
    public long PointsRejected { get; init; }

    /// <summary>Points still buffered when the client closed and the drain timeout ran out, or lost in a failed UDP send.</summary>
    public long PointsUndelivered { get; init; }

    /// <summary>Bytes written to the socket, replays included.</summary>
    public long BytesWritten { get; init; }

    /// <summary>Successful reconnections after a lost or failed connection.</summary>
    public long Reconnects { get; init; }

    /// <summary>Points accepted and not yet written.</summary>
    public long BufferedPoints { get; init; }

    /// <summary>Bytes accepted and not yet written.</summary>
    public long BufferedBytes { get; init; }

    /// <summary>Every accepted point that will never be written: dropped for a full buffer or undelivered.</summary>
    public long PointsDropped => PointsDroppedBufferFull + PointsUndelivered;

    /// <summary>Adds two snapshots (destinations of one client).</summary>
    internal GraphiteClientStatistics Plus(GraphiteClientStatistics other) => new()
    {
        PointsAccepted = PointsAccepted + other.PointsAccepted,
        PointsWritten = PointsWritten + other.PointsWritten,
        PointsReplayed = PointsReplayed + other.PointsReplayed,
        PointsDroppedBufferFull = PointsDroppedBufferFull + other.PointsDroppedBufferFull,
        PointsRejected = Math.Max(PointsRejected, other.PointsRejected),
        PointsUndelivered = PointsUndelivered + other.PointsUndelivered,
        BytesWritten = BytesWritten + other.BytesWritten,
        Reconnects = Reconnects + other.Reconnects,
        BufferedPoints = BufferedPoints + other.BufferedPoints,
        BufferedBytes = BufferedBytes + other.BufferedBytes,
    };
}
