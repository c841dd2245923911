using AioGraphite.Protocols;
using AioGraphite.Transport;

namespace AioGraphite.Pipeline;

/// <summary>
/// The UDP <see cref="DeliveryTracker"/> (a null object): a datagram sent is all there is to know, so every segment
/// written counts as delivered and is released at once; nothing is retained, replayed or confirmed by a receipt.
/// </summary>
internal sealed class SentIsDeliveredTracker : DeliveryTracker
{
    public SentIsDeliveredTracker(PipelineCounters counters, ConnectionStatusRecorder status)
        : base(counters, status)
    {
    }

    public override int UnconsumedCount => 0;

    public override int ReplayCount => 0;

    public override long LowestSequence => long.MaxValue;

    public override long HeldBytes => 0;

    public override bool EverythingConfirmed => true;

    public override bool WantsReceipt(GraphiteConnection connection) => false;

    public override bool Written(List<Segment> batch, long streamStart, long now, long lostPoints, List<Segment> released)
    {
        long points = 0;
        foreach (Segment s in batch)
        {
            points += s.Points;
            released.Add(s);
        }

        Delivered(points - lostPoints);
        return true;
    }

    public override bool ReadEvidence(GraphiteConnection connection, long now, List<Segment> released) => false;

    public override void ReceiptConfirmed(long endSentAt, long now, List<Segment> released)
    {
    }

    public override long ConnectionLost(List<Segment> released) => 0;

    public override long TakeReplay(List<Segment> pending) => 0;

    public override void Close(bool clean, List<Segment> released, ref Leftovers leftovers)
    {
    }
}
