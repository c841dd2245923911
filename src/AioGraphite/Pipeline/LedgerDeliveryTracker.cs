using AioGraphite.Protocols;
using AioGraphite.Transport;

namespace AioGraphite.Pipeline;

/// <summary>
/// The TCP <see cref="DeliveryTracker"/>: written segments go to the <see cref="DeliveryLedger"/>, which the
/// connection's evidence (<see cref="GraphiteConnection.ReadConsumedBytes"/>) and carbon's end-of-stream receipt move
/// on to consumed, retained and retired, or to the replay list when the connection is lost. Loop-thread only.
/// </summary>
internal sealed class LedgerDeliveryTracker : DeliveryTracker
{
    private readonly DeliveryLedger _ledger;
    private bool _confirmed;

    public LedgerDeliveryTracker(DeliveryLedger ledger, PipelineCounters counters, ConnectionStatusRecorder status)
        : base(counters, status) => _ledger = ledger;

    public override int UnconsumedCount => _ledger.UnconsumedCount;

    public override int ReplayCount => _ledger.ReplayCount;

    public override long LowestSequence => _ledger.LowestSequence;

    public override long HeldBytes => _ledger.HeldBytes;

    public override bool EverythingConfirmed => _confirmed;

    /// <summary>A fresh connection after a confirmed one carries nothing unconfirmed: no receipt needed.</summary>
    public override bool WantsReceipt(GraphiteConnection connection) => connection.BytesWritten > 0 || _ledger.UndeliveredPoints > 0;

    public override bool Written(List<Batch> batch, long streamStart, long now, long lostPoints, List<Batch> released)
    {
        _confirmed = false;
        long offset = streamStart;
        foreach (Batch s in batch)
        {
            offset += s.Length;
            _ledger.Written(s, offset, now);
        }

        PublishInFlight(_ledger.UndeliveredPoints);
        return false;
    }

    public override bool ReadEvidence(GraphiteConnection connection, long now, List<Batch> released)
    {
        if (_ledger.UnconsumedCount == 0 && _ledger.RetainedCount == 0)
        {
            return false;
        }

        long consumed = _ledger.UnconsumedCount > 0 ? connection.ReadConsumedBytes() : 0;
        var delivered = default(DeliveryTally);
        bool progress = _ledger.Observe(consumed, now, ref delivered, released);
        Settle(delivered);
        return progress;
    }

    public override void ReceiptConfirmed(long endSentAt, long now, List<Batch> released)
    {
        var delivered = default(DeliveryTally);
        _ledger.ConfirmAll(endSentAt, now, ref delivered, released);
        _confirmed = _ledger.ReplayCount == 0;
        Settle(delivered);
        PublishInFlight(_ledger.UndeliveredPoints);
    }

    public override long ConnectionLost(List<Batch> released)
    {
        _confirmed = false;
        long lost = _ledger.ConnectionLost(released);
        PublishInFlight(_ledger.UndeliveredPoints);
        return lost;
    }

    public override long TakeReplay(List<Batch> pending) => _ledger.TakeReplay(pending);

    public override void Close(bool clean, List<Batch> released, ref Leftovers leftovers)
    {
        _ledger.Close(clean, released, ref leftovers);
        PublishInFlight(0);
    }

    private void Settle(in DeliveryTally delivered)
    {
        if (delivered.Segments > 0)
        {
            Delivered(delivered.Points);
            PublishInFlight(_ledger.UndeliveredPoints);
        }
    }
}
