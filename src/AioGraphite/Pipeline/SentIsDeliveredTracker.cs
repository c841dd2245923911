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

    public override bool Written(List<Batch> batch, long streamStart, long now, long lostPoints, List<Batch> released)
    {
        long points = 0;
        foreach (Batch s in batch)
        {
            points += s.Points;
            released.Add(s);
        }

        Delivered(points - lostPoints);
        return true;
    }

    public override bool ReadEvidence(GraphiteConnection connection, long now, List<Batch> released) => false;

    public override void ReceiptConfirmed(long endSentAt, long now, List<Batch> released)
    {
    }

    public override long ConnectionLost(List<Batch> released) => 0;

    public override long TakeReplay(List<Batch> pending) => 0;

    public override void Close(bool clean, List<Batch> released, ref Leftovers leftovers)
    {
    }
}
