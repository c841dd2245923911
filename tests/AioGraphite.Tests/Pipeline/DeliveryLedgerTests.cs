using AioGraphite.Pipeline;
using AioGraphite.Protocols;
using Xunit;

namespace AioGraphite.Tests.Pipeline;

/// <summary>The ledger's rules, with plain timestamps (one tick per second): what is delivered, retained, retired and replayed.</summary>
public sealed class DeliveryLedgerTests
{
    private const long Second = 1;

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    private readonly List<Batch> _released = [];

    private static DeliveryLedger NewLedger(long maxBytes = 1 << 20, bool replay = true) => new(Window, maxBytes, replay, timestampFrequency: 1);

    private static Batch Batch(int bytes, int points, int capacity = 1024)
    {
        var s = new Batch(capacity) { Length = bytes, Points = points };
        s.Buffer.AsSpan(0, bytes).Fill((byte)('a' + (points % 26)));
        return s;
    }

    [Fact]
    public void Observe_SegmentsUpToTheConsumedOffsetAreDeliveredOnceInStreamOrder()
    {
        DeliveryLedger ledger = NewLedger();
        Batch a = Batch(100, 10), b = Batch(100, 20), c = Batch(100, 30);
        ledger.Written(a, 100, 0);
        ledger.Written(b, 200, 0);
        ledger.Written(c, 300, 0);
        Assert.Equal(60, ledger.UndeliveredPoints);

        var tally = default(DeliveryTally);
        ledger.Observe(250, 1, ref tally, _released); // a, b consumed; c only partly
        Assert.Equal((30L, 2), (tally.Points, tally.Segments));
        Assert.True(a.Delivered && b.Delivered && !c.Delivered);
        Assert.Equal(1, ledger.UnconsumedCount);
        Assert.Equal(30, ledger.UndeliveredPoints);

        tally = default;
        ledger.Observe(250, 2, ref tally, _released); // no progress, nothing new
        Assert.Equal(0, tally.Segments);
    }

    [Fact]
    public void ConnectionLost_ReplaysWhatWasConsumedWithinTheWindowThenWhatWasNot_OldestFirst()
    {
        DeliveryLedger ledger = NewLedger();
        Batch old = Batch(100, 1, capacity: 100), recent = Batch(100, 2, capacity: 100), unread = Batch(100, 3, capacity: 100);
        ledger.Written(old, 100, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);         // old consumed at t=0
        ledger.Written(recent, 200, 50 * Second);
        ledger.Observe(200, 50 * Second, ref tally, _released); // recent consumed at t=50
        ledger.Written(unread, 300, 55 * Second);                // carbon had consumed everything until t=55...
        ledger.Observe(200, 70 * Second, ref tally, _released); // ...and nothing since

        Assert.Equal(0, ledger.ConnectionLost(_released));
        var pending = new List<Batch>();
        Assert.Equal(6, ledger.TakeReplay(pending)); // carbon was last proven running at t=50 (it read what was written then): old's 60 s had not passed
        Assert.Equal([old, recent, unread], pending);
        Assert.All(pending, s => Assert.True(s.IsReplay));
    }

    [Fact]
    public void Retained_AgesOnlyWhileCarbonKeepsUp_AFrozenCarbonStopsTheClock()
    {
        DeliveryLedger ledger = NewLedger();
        Batch consumed = Batch(100, 1, capacity: 100);
        ledger.Written(consumed, 100, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);

        // carbon freezes: new bytes stay unconsumed for an hour; the retained segment must not age out.
        Batch stuck = Batch(100, 2, capacity: 100);
        ledger.Written(stuck, 200, 1 * Second);
        for (long t = 2; t <= 3600; t += 60)
        {
            ledger.Observe(100, t * Second, ref tally, _released);
        }

        Assert.Empty(_released);
        Assert.Equal(1, ledger.RetainedCount);

        ledger.ConnectionLost(_released);
        var pending = new List<Batch>();
        ledger.TakeReplay(pending);
        Assert.Equal([consumed, stuck], pending);
    }

    [Fact]
    public void Retained_RetiresAfterTheWindowOfHealthyConsumption()
    {
        DeliveryLedger ledger = NewLedger();
        Batch first = Batch(100, 1, capacity: 100);
        ledger.Written(first, 100, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);
        Batch later = Batch(100, 1, capacity: 100);
        ledger.Written(later, 200, 61 * Second);
        ledger.Observe(200, 61 * Second, ref tally, _released);

        Assert.Equal([first], _released);
        Assert.Equal(1, ledger.RetainedCount);
    }

    [Fact]
    public void AnIdleClient_AgesNothing_AQuietHourProvesNothingAboutCarbon()
    {
        // A once-a-minute reporter gone quiet while carbon froze: the wall clock runs, carbon's proven time does not.
        DeliveryLedger ledger = NewLedger();
        Batch s = Batch(100, 1, capacity: 100);
        ledger.Written(s, 100, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);
        for (long t = 1; t <= 3600; t += 60)
        {
            ledger.Observe(0, t * Second, ref tally, _released); // the loop looks with nothing unconsumed
        }

        ledger.ConnectionLost(_released);
        Assert.Empty(_released);
        var pending = new List<Batch>();
        Assert.Equal(1, ledger.TakeReplay(pending));
        Assert.Equal([s], pending);
    }

    [Fact]
    public void AnIdleClient_IsToldCarbonRanByItsReceipt_NoEarlierThanTheEndWasSent()
    {
        DeliveryLedger ledger = NewLedger();
        Batch s = Batch(100, 1, capacity: 100);
        ledger.Written(s, 100, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);

        ledger.ConfirmAll(endSentAt: 50 * Second, now: 3600 * Second, ref tally, _released); // a slow receipt proves t=50 only
        Assert.Empty(_released);
        Assert.Equal(50 * Second, ledger.ProvenAliveAt);

        ledger.ConfirmAll(endSentAt: 61 * Second, now: 62 * Second, ref tally, _released);
        Assert.Equal([s], _released);
        Assert.Equal(0, ledger.RetainedCount);
    }

    [Fact]
    public void Progress_ProvesCarbonRanNoEarlierThanThePreviousLook_NorThanTheWriteOfWhatItRead()
    {
        DeliveryLedger ledger = NewLedger();
        Batch a = Batch(100, 1, capacity: 100), b = Batch(100, 1, capacity: 100);
        ledger.Written(a, 100, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(0, 40 * Second, ref tally, _released);   // unread at t=40
        ledger.Observe(100, 45 * Second, ref tally, _released); // read between t=40 and t=45
        Assert.Equal(40 * Second, ledger.ProvenAliveAt);

        ledger.Written(b, 200, 90 * Second);
        ledger.Observe(200, 200 * Second, ref tally, _released); // read after it was written at t=90
        Assert.Equal(90 * Second, ledger.ProvenAliveAt);
        Assert.Empty(_released); // a was consumed at t=45 (the look that saw it): 45 s of proven running only
    }

    [Fact]
    public void Outage_NeverShortensTheReplay_TheListIsFrozenUntilTaken()
    {
        DeliveryLedger ledger = NewLedger();
        Batch s = Batch(100, 1, capacity: 100);
        ledger.Written(s, 100, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);
        ledger.ConnectionLost(_released);

        // Ten minutes of back-off later: still replayed.
        var pending = new List<Batch>();
        Assert.Equal(1, ledger.TakeReplay(pending));
        Assert.Equal([s], pending);
    }

    [Fact]
    public void ByteBound_RetiresTheOldestConsumed_NeverWhatIsUnconsumed()
    {
        DeliveryLedger ledger = NewLedger(maxBytes: 250);
        Batch[] segments = [.. Enumerable.Range(0, 4).Select(i => Batch(100, 1, capacity: 100))];
        for (int i = 0; i < 3; i++)
        {
            ledger.Written(segments[i], 100 * (i + 1), 0);
        }

        ledger.Written(segments[3], 400, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(300, 0, ref tally, _released);
        Assert.Equal([segments[0]], _released);
        Assert.Equal(300, ledger.HeldBytes); // 200 retained, 100 unconsumed
        Assert.Equal(1, ledger.UnconsumedCount);
    }

    [Fact]
    public void SmallConsumedSegments_ArePackedTogether_AndTheEmptyShellsReleased()
    {
        DeliveryLedger ledger = NewLedger();
        Batch a = Batch(10, 1), b = Batch(20, 2), c = Batch(30, 3);
        ledger.Written(a, 10, 0);
        ledger.Written(b, 30, 0);
        ledger.Written(c, 60, 0);
        byte[] expected = [.. a.Buffer.AsSpan(0, 10).ToArray(), .. b.Buffer.AsSpan(0, 20).ToArray(), .. c.Buffer.AsSpan(0, 30).ToArray()];
        var tally = default(DeliveryTally);
        ledger.Observe(60, 0, ref tally, _released);

        Assert.Equal([b, c], _released);
        Assert.Equal(1, ledger.RetainedCount);
        Assert.Equal(60, ledger.HeldBytes);
        ledger.ConnectionLost(_released);
        var pending = new List<Batch>();
        Assert.Equal(6, ledger.TakeReplay(pending));
        Assert.Equal(expected, pending.Single().Written.ToArray());
    }

    [Fact]
    public void ConfirmAll_DeliversEverythingWrittenOnTheConnection()
    {
        DeliveryLedger ledger = NewLedger();
        ledger.Written(Batch(100, 5), 100, 0);
        ledger.Written(Batch(100, 6), 200, 0);
        var tally = default(DeliveryTally);
        ledger.ConfirmAll(1, 1, ref tally, _released);
        Assert.Equal((11L, 2), (tally.Points, tally.Segments));
        Assert.Equal(0, ledger.UnconsumedCount);
        Assert.Equal(0, ledger.UndeliveredPoints);
    }

    [Fact]
    public void ReplayOff_ConnectionLost_GivesUpWhatWasNotConsumed_AndKeepsNothing()
    {
        DeliveryLedger ledger = NewLedger(replay: false);
        Batch consumed = Batch(100, 4), unread = Batch(100, 7);
        ledger.Written(consumed, 100, 0);
        ledger.Written(unread, 200, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);
        Assert.Equal([consumed], _released);

        Assert.Equal(7, ledger.ConnectionLost(_released));
        Assert.Equal(0, ledger.ReplayCount);
        Assert.Equal(0, ledger.UndeliveredPoints);
    }

    [Fact]
    public void Close_WithoutCarbonsConfirmation_KeepsTheWholeReplaySet_ConsumedOrNot()
    {
        DeliveryLedger ledger = NewLedger();
        Batch consumed = Batch(100, 4), unread = Batch(100, 7), lost = Batch(100, 2);
        ledger.Written(lost, 100, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);
        ledger.ConnectionLost(_released); // lost: consumed, then the connection dropped: waits for replay
        ledger.Written(consumed, 100, 1);
        ledger.Written(unread, 200, 1);
        ledger.Observe(100, 2, ref tally, _released);

        var leftovers = new Leftovers();
        ledger.Close(confirmed: false, _released, ref leftovers);
        Assert.Equal(7, leftovers.UndeliveredPoints);
        Assert.Equal(6, leftovers.NotReplayedPoints); // the replay list and the retained window
        Assert.Equal(13, leftovers.LostPoints);       // in memory only: nothing kept
        Assert.Equal(0, leftovers.KeptPoints);
        Assert.Equal(3, _released.Count);
    }

    [Fact]
    public void Close_SpooledReplaySet_IsKeptOnDisk_FromItsLowestSequence()
    {
        DeliveryLedger ledger = NewLedger();
        Batch consumed = Batch(100, 4), unread = Batch(100, 7);
        consumed.Sequence = 5;
        unread.Sequence = 6;
        consumed.Durability = unread.Durability = BatchDurability.Spooled;
        ledger.Written(consumed, 100, 0);
        ledger.Written(unread, 200, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);

        var leftovers = new Leftovers();
        ledger.Close(confirmed: false, _released, ref leftovers);
        Assert.Equal((11L, 5L, 0L), (leftovers.KeptPoints, leftovers.LowestKept, leftovers.LostPoints));
    }

    [Fact]
    public void Close_AfterCarbonConfirmedEverything_LetsTheWindowGo()
    {
        DeliveryLedger ledger = NewLedger();
        Batch s = Batch(100, 4);
        s.Durability = BatchDurability.Spooled;
        ledger.Written(s, 100, 0);
        var tally = default(DeliveryTally);
        ledger.ConfirmAll(1, 1, ref tally, _released);

        var leftovers = new Leftovers();
        ledger.Close(confirmed: true, _released, ref leftovers);
        Assert.Equal((0L, 0L, long.MaxValue), (leftovers.NotReplayedPoints, leftovers.KeptPoints, leftovers.LowestKept));
        Assert.Equal([s], _released);
    }

    [Fact]
    public void Packing_NeverHidesASpooledRecordInASegmentHeldInMemoryOnly()
    {
        DeliveryLedger ledger = NewLedger();
        Batch memory = Batch(10, 1), spooled = Batch(10, 2);
        spooled.Durability = BatchDurability.Spooled;
        ledger.Written(memory, 10, 0);
        ledger.Written(spooled, 20, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(20, 0, ref tally, _released);
        Assert.Equal(2, ledger.RetainedCount);
        Assert.Empty(_released);
    }
}
