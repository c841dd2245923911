using AioGraphite.Protocols;
using AioGraphite.Transport;

namespace AioGraphite.Pipeline;

/// <summary>
/// What carbon has consumed of what the sender wrote, and what that means for the counts: delivered and in-flight
/// points, the connection's last delivery, and the replay set. Over TCP a <see cref="LedgerDeliveryTracker"/> reads
/// the connection's evidence and carbon's end-of-stream receipt into a <see cref="DeliveryLedger"/>; over UDP a
/// <see cref="SentIsDeliveredTracker"/> (the null object) counts a datagram sent as delivered. Loop-thread only, except
/// <see cref="InFlightPoints"/>.
/// </summary>
internal abstract class DeliveryTracker
{
    private long _inFlightPoints;

    protected DeliveryTracker(PipelineCounters counters, ConnectionStatusRecorder status)
    {
        Counters = counters;
        Status = status;
    }

    /// <summary>Points written and not yet consumed by carbon (published for statistics).</summary>
    public long InFlightPoints => Volatile.Read(ref _inFlightPoints);

    /// <summary>Written segments on the current connection not yet consumed.</summary>
    public abstract int UnconsumedCount { get; }

    /// <summary>Segments waiting to be written again after a lost connection.</summary>
    public abstract int ReplayCount { get; }

    /// <summary>The lowest sequence held (long.MaxValue when none): spool records below it may be retired.</summary>
    public abstract long LowestSequence { get; }

    /// <summary>Bytes held for replay or awaiting consumption (for logs).</summary>
    public abstract long HeldBytes { get; }

    /// <summary>Whether carbon's orderly close confirmed everything written, with nothing written or lost since.</summary>
    public abstract bool EverythingConfirmed { get; }

    protected PipelineCounters Counters { get; }

    protected ConnectionStatusRecorder Status { get; }

    /// <summary>Whether the stream should end for carbon's receipt before a delivery waiter is told (false: confirmed as written).</summary>
    public abstract bool WantsReceipt(GraphiteConnection connection);

    /// <summary>
    /// <paramref name="batch"/> was written from <paramref name="streamStart"/> on (<paramref name="lostPoints"/> of its
    /// points could not be sent); segments done with are added to <paramref name="released"/>. Returns whether writing
    /// is all the confirmation there will be (UDP).
    /// </summary>
    public abstract bool Written(List<Batch> batch, long streamStart, long now, long lostPoints, List<Batch> released);

    /// <summary>Reads the connection's evidence; returns whether carbon consumed anything since the last look.</summary>
    public abstract bool ReadEvidence(GraphiteConnection connection, long now, List<Batch> released);

    /// <summary>carbon closed in order after our end of stream, sent at <paramref name="endSentAt"/>: everything written was consumed.</summary>
    public abstract void ReceiptConfirmed(long endSentAt, long now, List<Batch> released);

    /// <summary>The connection broke: what carbon may have lost becomes the replay set. Returns the points given up (replay off).</summary>
    public abstract long ConnectionLost(List<Batch> released);

    /// <summary>Moves the replay set to the front of <paramref name="pending"/>; returns its points.</summary>
    public abstract long TakeReplay(List<Batch> pending);

    /// <summary>Closing: releases everything; what carbon may still lose (unless <paramref name="clean"/>) goes to <paramref name="leftovers"/>.</summary>
    public abstract void Close(bool clean, List<Batch> released, ref Leftovers leftovers);

    /// <summary>carbon consumed <paramref name="points"/> for the first time.</summary>
    protected void Delivered(long points)
    {
        if (points > 0)
        {
            Status.Delivered(); // first: whoever sees the count sees the time
            Counters.Delivered(points);
        }
    }

    /// <summary>Publishes the in-flight count for statistics.</summary>
    protected void PublishInFlight(long points) => Volatile.Write(ref _inFlightPoints, points);
}
