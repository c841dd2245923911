using System.Diagnostics;
using AioGraphite.Diagnostics;

namespace AioGraphite.Pipeline;

/// <summary>
/// Every count of one destination in one place: each event bumps its <see cref="Interlocked"/> total (read back as
/// <see cref="GraphiteClientStatistics"/>) and the matching instrument of the <c>AioGraphite</c> meter, together.
/// Producers call <see cref="Accepted"/> and <see cref="DroppedBufferFull"/>; the sender loop the rest.
/// </summary>
internal sealed class PipelineCounters
{
    private readonly GraphiteInstruments _instruments;
    private readonly TagList _tags;
    private long _accepted;
    private long _rejected;
    private long _written;
    private long _delivered;
    private long _replayed;
    private long _droppedBufferFull;
    private long _undelivered;
    private long _bytesWritten;
    private long _reconnects;

    public PipelineCounters(GraphiteInstruments instruments, in TagList tags)
    {
        _instruments = instruments;
        _tags = tags;
    }

    /// <summary>The meter tags of the destination.</summary>
    public TagList Tags => _tags;

    public void Accepted(long points) => Interlocked.Add(ref _accepted, points);

    /// <summary>Points rejected at the API edge (kept by the client-wide counters).</summary>
    public void Rejected(long points)
    {
        Interlocked.Add(ref _rejected, points);
        _instruments.PointsDropped(points, DropReason.Invalid, _tags);
    }

    public void DroppedBufferFull(long points)
    {
        Interlocked.Add(ref _droppedBufferFull, points);
        _instruments.PointsDropped(points, DropReason.BufferFull, _tags);
    }

    /// <summary>A write went through: first-time points, replayed points and all the bytes.</summary>
    public void Written(long points, long replayed, long bytes)
    {
        Interlocked.Add(ref _written, points);
        Interlocked.Add(ref _bytesWritten, bytes);
        _instruments.PointsSent(points, _tags);
        _instruments.BytesWritten(bytes, _tags);
        if (replayed > 0)
        {
            Interlocked.Add(ref _replayed, replayed);
            _instruments.PointsReplayed(replayed, _tags);
        }
    }

    public void Delivered(long points)
    {
        if (points > 0)
        {
            Interlocked.Add(ref _delivered, points);
            _instruments.PointsDelivered(points, _tags);
        }
    }

    /// <summary>Points given up on: a lost datagram, a connection lost without replay, or the drain timeout at close.</summary>
    public void Undelivered(long points, string reason)
    {
        if (points > 0)
        {
            Interlocked.Add(ref _undelivered, points);
            _instruments.PointsDropped(points, reason, _tags);
        }
    }

    public void Reconnected()
    {
        Interlocked.Increment(ref _reconnects);
        _instruments.Reconnected(_tags);
    }

    /// <summary>Bytes written so far, replays included.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>Points rejected so far (the client-wide edge counters only).</summary>
    public long RejectedPoints => Interlocked.Read(ref _rejected);

    /// <summary>The totals, with the buffer's and the ledger's current levels.</summary>
    public GraphiteClientStatistics Snapshot(long bufferedPoints, long bufferedBytes, long inFlightPoints) => new()
    {
        PointsAccepted = Interlocked.Read(ref _accepted),
        PointsRejected = Interlocked.Read(ref _rejected),
        PointsWritten = Interlocked.Read(ref _written),
        PointsDelivered = Interlocked.Read(ref _delivered),
        PointsReplayed = Interlocked.Read(ref _replayed),
        PointsDroppedBufferFull = Interlocked.Read(ref _droppedBufferFull),
        PointsUndelivered = Interlocked.Read(ref _undelivered),
        BytesWritten = Interlocked.Read(ref _bytesWritten),
        Reconnects = Interlocked.Read(ref _reconnects),
        BufferedPoints = bufferedPoints,
        BufferedBytes = bufferedBytes,
        InFlightPoints = inFlightPoints,
    };
}
