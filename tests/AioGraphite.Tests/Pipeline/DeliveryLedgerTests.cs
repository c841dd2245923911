using AioGraphite.Pipeline;
using AioGraphite.Protocols;
using Xunit;

namespace AioGraphite.Tests.Pipeline;

/// <summary>The ledger's rules, with plain timestamps (one tick per second): what is delivered, retained, retired and replayed.</summary>
public sealed class DeliveryLedgerTests
{
    private const long Second = 1;

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    private readonly List<Segment> _released = [];

    private static DeliveryLedger NewLedger(long maxBytes = 1 << 20, bool replay = true) => new(Window, maxBytes, replay, timestampFrequency: 1);

    private static Segment Segment(int bytes, int points, int capacity = 1024)
    {
        var s = new Segment(capacity) { Length = bytes, Points = points };
        s.Buffer.AsSpan(0, bytes).Fill((byte)('a' + (points % 26)));
        return s;
    }

    [Fact]
    public void Observe_SegmentsUpToTheConsumedOffsetAreDeliveredOnceInStreamOrder()
    {
        DeliveryLedger ledger = NewLedger();
        Segment a = Segment(100, 10), b = Segment(100, 20), c = Segment(100, 30);
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
        Segment old = Segment(100, 1, capacity: 100), recent = Segment(100, 2, capacity: 100), unread = Segment(100, 3, capacity: 100);
        ledger.Written(old, 100, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);         // old consumed at t=0
        ledger.Written(recent, 200, 50 * Second);
        ledger.Observe(200, 50 * Second, ref tally, _released); // recent consumed at t=50
        ledger.Written(unread, 300, 55 * Second);                // carbon had consumed everything until t=55...
        ledger.Observe(200, 70 * Second, ref tally, _released); // ...and nothing since

        Assert.Equal(0, ledger.ConnectionLost(70 * Second, _released));
        var pending = new List<Segment>();
        Assert.Equal(6, ledger.TakeReplay(pending)); // old's 60 s had not passed while carbon was last seen healthy (t=55)
        Assert.Equal([old, recent, unread], pending);
        Assert.All(pending, s => Assert.True(s.IsReplay));
    }

    [Fact]
    public void Retained_AgesOnlyWhileCarbonKeepsUp_AFrozenCarbonStopsTheClock()
    {
        DeliveryLedger ledger = NewLedger();
        Segment consumed = Segment(100, 1, capacity: 100);
        ledger.Written(consumed, 100, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);

        // carbon freezes: new bytes stay unconsumed for an hour; the retained segment must not age out.
        Segment stuck = Segment(100, 2, capacity: 100);
        ledger.Written(stuck, 200, 1 * Second);
        for (long t = 2; t <= 3600; t += 60)
        {
            ledger.Observe(100, t * Second, ref tally, _released);
        }

        Assert.Empty(_released);
        Assert.Equal(1, ledger.RetainedCount);

        ledger.ConnectionLost(3600 * Second, _released);
        var pending = new List<Segment>();
        ledger.TakeReplay(pending);
        Assert.Equal([consumed, stuck], pending);
    }

    [Fact]
    public void Retained_RetiresAfterTheWindowOfHealthyConsumption()
    {
        DeliveryLedger ledger = NewLedger();
        Segment first = Segment(100, 1, capacity: 100);
        ledger.Written(first, 100, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);
        Segment later = Segment(100, 1, capacity: 100);
        ledger.Written(later, 200, 61 * Second);
        ledger.Observe(200, 61 * Second, ref tally, _released);

        Assert.Equal([first], _released);
        Assert.Equal(1, ledger.RetainedCount);
    }

    [Fact]
    public void ConnectionLost_AfterAQuietSpellWithEverythingConsumed_CountsTheQuietTimeAsHealthy()
    {
        DeliveryLedger ledger = NewLedger();
        Segment s = Segment(100, 1, capacity: 100);
        ledger.Written(s, 100, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);

        ledger.ConnectionLost(3600 * Second, _released); // idle for an hour with nothing outstanding: carbon stored it long ago
        Assert.Equal([s], _released);
        Assert.Equal(0, ledger.ReplayCount);
    }

    [Fact]
    public void Outage_NeverShortensTheReplay_TheListIsFrozenUntilTaken()
    {
        DeliveryLedger ledger = NewLedger();
        Segment s = Segment(100, 1, capacity: 100);
        ledger.Written(s, 100, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);
        ledger.ConnectionLost(1 * Second, _released);

        // Ten minutes of back-off later: still replayed.
        var pending = new List<Segment>();
        Assert.Equal(1, ledger.TakeReplay(pending));
        Assert.Equal([s], pending);
    }

    [Fact]
    public void ByteBound_RetiresTheOldestConsumed_NeverWhatIsUnconsumed()
    {
        DeliveryLedger ledger = NewLedger(maxBytes: 250);
        Segment[] segments = [.. Enumerable.Range(0, 4).Select(i => Segment(100, 1, capacity: 100))];
        for (int i = 0; i < 3; i++)
        {
            ledger.Written(segments[i], 100 * (i + 1), 0);
        }

        ledger.Written(segments[3], 400, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(300, 0, ref tally, _released);
        Assert.Equal([segments[0]], _released);
        Assert.Equal(200, ledger.RetainedBytes);
        Assert.Equal(1, ledger.UnconsumedCount);
    }

    [Fact]
    public void SmallConsumedSegments_ArePackedTogether_AndTheEmptyShellsReleased()
    {
        DeliveryLedger ledger = NewLedger();
        Segment a = Segment(10, 1), b = Segment(20, 2), c = Segment(30, 3);
        ledger.Written(a, 10, 0);
        ledger.Written(b, 30, 0);
        ledger.Written(c, 60, 0);
        byte[] expected = [.. a.Buffer.AsSpan(0, 10).ToArray(), .. b.Buffer.AsSpan(0, 20).ToArray(), .. c.Buffer.AsSpan(0, 30).ToArray()];
        var tally = default(DeliveryTally);
        ledger.Observe(60, 0, ref tally, _released);

        Assert.Equal([b, c], _released);
        Assert.Equal(1, ledger.RetainedCount);
        Assert.Equal(60, ledger.RetainedBytes);
        ledger.ConnectionLost(0, _released);
        var pending = new List<Segment>();
        Assert.Equal(6, ledger.TakeReplay(pending));
        Assert.Equal(expected, pending.Single().Written.ToArray());
    }

    [Fact]
    public void ConfirmAll_DeliversEverythingWrittenOnTheConnection()
    {
        DeliveryLedger ledger = NewLedger();
        ledger.Written(Segment(100, 5), 100, 0);
        ledger.Written(Segment(100, 6), 200, 0);
        var tally = default(DeliveryTally);
        ledger.ConfirmAll(1, ref tally, _released);
        Assert.Equal((11L, 2), (tally.Points, tally.Segments));
        Assert.Equal(0, ledger.UnconsumedCount);
        Assert.Equal(0, ledger.UndeliveredPoints);
    }

    [Fact]
    public void ReplayOff_ConnectionLost_GivesUpWhatWasNotConsumed_AndKeepsNothing()
    {
        DeliveryLedger ledger = NewLedger(replay: false);
        Segment consumed = Segment(100, 4), unread = Segment(100, 7);
        ledger.Written(consumed, 100, 0);
        ledger.Written(unread, 200, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);
        Assert.Equal([consumed], _released);

        Assert.Equal(7, ledger.ConnectionLost(1, _released));
        Assert.Equal(0, ledger.ReplayCount);
        Assert.Equal(0, ledger.UndeliveredPoints);
    }

    [Fact]
    public void Clear_CountsThePointsNeverConsumed()
    {
        DeliveryLedger ledger = NewLedger();
        ledger.Written(Segment(100, 4), 100, 0);
        ledger.Written(Segment(100, 7), 200, 0);
        var tally = default(DeliveryTally);
        ledger.Observe(100, 0, ref tally, _released);
        var leftovers = new Leftovers();
        ledger.Clear(_released, ref leftovers);
        Assert.Equal(7, leftovers.LostPoints);
        Assert.Equal(0, leftovers.KeptPoints);
    }
}
