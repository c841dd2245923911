using System.Diagnostics;
using System.Diagnostics.Metrics;
using AioGraphite.Diagnostics;
using AioGraphite.Pipeline;
using AioGraphite.Protocols;
using AioGraphite.Tests.Support;
using AioGraphite.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Tests.Pipeline;

/// <summary>
/// The sender loop's parts, each on its own with fakes: the delivery trackers (TCP ledger and the UDP null object), the
/// progress marks and their waiters, the drain controller, and the connection manager's rule that only a connection on
/// which carbon consumed counts as a success. No sockets, no sleeps.
/// </summary>
public sealed class PipelineComponentTests : IDisposable
{
    private static readonly IEnumerable<Measurement<long>> NoMeasurements = [];

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private readonly GraphiteInstruments _instruments = new(null, () => NoMeasurements, () => NoMeasurements, () => NoMeasurements);
    private readonly PipelineCounters _counters;
    private readonly ConnectionStatusRecorder _status;
    private readonly List<Batch> _released = [];

    public PipelineComponentTests()
    {
        _counters = new PipelineCounters(_instruments, new TagList());
        _status = new ConnectionStatusRecorder(_time);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _instruments.Dispose();

    private static Batch Batch(int bytes, int points, long sequence)
    {
        var s = new Batch(1024) { Length = bytes, Points = points, Sequence = sequence };
        s.Buffer.AsSpan(0, bytes).Fill((byte)'x');
        return s;
    }

    private LedgerDeliveryTracker NewLedgerTracker() =>
        new(new DeliveryLedger(TimeSpan.FromMinutes(1), 1 << 20, replayEnabled: true, _time.TimestampFrequency), _counters, _status);

    private GraphiteClientStatistics Stats => _counters.Snapshot(0, 0, 0);

    private async Task<MemoryConnection> Connect(MemoryCarbon carbon) => (MemoryConnection)await carbon.ConnectAsync(Ct);

    [Fact]
    public async Task LedgerTracker_CountsDeliveryFromTheEvidence_AndPublishesInFlight()
    {
        var carbon = new MemoryCarbon(_time) { ConsumesOnWrite = false };
        MemoryConnection connection = await Connect(carbon);
        LedgerDeliveryTracker tracker = NewLedgerTracker();
        List<Batch> batch = [Batch(100, 3, 1), Batch(100, 4, 2)];
        await connection.WriteAsync([.. batch.Select(s => new ArraySegment<byte>(s.Buffer, 0, s.Length))], Ct);
        Assert.False(tracker.Written(batch, 0, _time.GetTimestamp(), 0, _released)); // the evidence or the receipt will tell
        Assert.Equal(7, tracker.InFlightPoints);
        Assert.True(tracker.WantsReceipt(connection));

        Assert.False(tracker.ReadEvidence(connection, _time.GetTimestamp(), _released)); // nothing read yet
        connection.ConsumeAll();
        Assert.True(tracker.ReadEvidence(connection, _time.GetTimestamp(), _released));
        Assert.Equal(0, tracker.InFlightPoints);
        Assert.Equal(7, Stats.PointsDelivered);
        Assert.NotNull(_status.Read().LastDeliveryTime);
        Assert.False(tracker.EverythingConfirmed); // the evidence is no receipt
        Assert.Equal(1, tracker.LowestSequence); // retained for the replay window
    }

    [Fact]
    public void LedgerTracker_TheReceiptConfirmsEverything_UntilTheNextWriteOrLoss()
    {
        LedgerDeliveryTracker tracker = NewLedgerTracker();
        tracker.Written([Batch(100, 5, 1)], 0, 0, 0, _released);
        tracker.ReceiptConfirmed(0, 0, _released);
        Assert.True(tracker.EverythingConfirmed);
        Assert.Equal(5, Stats.PointsDelivered);

        tracker.Written([Batch(100, 1, 2)], 0, 0, 0, _released);
        Assert.False(tracker.EverythingConfirmed);
        tracker.ReceiptConfirmed(0, 0, _released);
        Assert.True(tracker.EverythingConfirmed);
        Assert.Equal(0, tracker.ConnectionLost(_released));
        Assert.False(tracker.EverythingConfirmed);
        Assert.Equal(2, tracker.ReplayCount); // both retained: carbon has not been seen running a minute since
    }

    [Fact]
    public void LedgerTracker_Close_KeepsTheReplaySetUnlessClean()
    {
        LedgerDeliveryTracker tracker = NewLedgerTracker();
        tracker.Written([Batch(100, 5, 1)], 0, 0, 0, _released);
        tracker.ReceiptConfirmed(0, 0, _released);
        var kept = new Leftovers();
        tracker.Close(clean: false, _released, ref kept);
        Assert.Equal(5, kept.NotReplayedPoints);

        LedgerDeliveryTracker other = NewLedgerTracker();
        other.Written([Batch(100, 5, 1)], 0, 0, 0, _released);
        other.ReceiptConfirmed(0, 0, _released);
        var none = new Leftovers();
        other.Close(clean: true, _released, ref none);
        Assert.Equal((0L, 0L), (none.NotReplayedPoints, none.UndeliveredPoints));
    }

    [Fact]
    public async Task SentIsDeliveredTracker_TheUdpNullObject_DeliversOnWrite_HoldsNothing_WantsNoReceipt()
    {
        var carbon = new MemoryCarbon(_time);
        MemoryConnection connection = await Connect(carbon);
        var tracker = new SentIsDeliveredTracker(_counters, _status);
        Batch a = Batch(100, 3, 1), b = Batch(100, 4, 2);
        Assert.True(tracker.Written([a, b], 0, 0, lostPoints: 1, _released)); // confirmed by writing
        Assert.Equal([a, b], _released);
        Assert.Equal(6, Stats.PointsDelivered);
        Assert.False(tracker.WantsReceipt(connection));
        Assert.Equal((0, 0, long.MaxValue, 0L), (tracker.UnconsumedCount, tracker.ReplayCount, tracker.LowestSequence, tracker.InFlightPoints));
        Assert.Equal(0, tracker.TakeReplay([]));
    }

    [Fact]
    public async Task DeliveryProgress_CompletesWaitersAsTheMarksPassTheirTargets_AndFailsTheRestAtClose()
    {
        var progress = new DeliveryProgress();
        int wakes = 0;
        Task flush = progress.FlushAsync(3, () => wakes++, Ct);
        Task delivered = progress.WaitForDeliveryAsync(3, () => wakes++, Ct);
        Assert.Equal(2, wakes);
        Assert.Equal(3, progress.HighestDeliveryTarget);

        progress.Written(2);
        Assert.False(flush.IsCompleted);
        progress.Written(3);
        await flush;
        Assert.False(delivered.IsCompleted);
        Assert.True(progress.FlushAsync(3, () => wakes++, Ct).IsCompletedSuccessfully); // already reached: no waiter, no wake
        Assert.Equal(2, wakes);

        Task late = progress.WaitForDeliveryAsync(5, () => { }, Ct);
        progress.Confirmed(3);
        await delivered;
        progress.FailAll(new GraphiteException("not written"), new GraphiteException("not confirmed"));
        GraphiteException error = await Assert.ThrowsAsync<GraphiteException>(() => late);
        Assert.Equal("not confirmed", error.Message);
    }

    [Fact]
    public void DrainController_TheHardStopComesAtTheTimeout_OnTheClientsClock_AndWakesTheLoop()
    {
        using var drain = new DrainController(_time);
        int wakes = 0;
        drain.Begin(TimeSpan.FromSeconds(10), () => wakes++);
        Assert.True(drain.Draining);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(drain.HardStopped);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(drain.HardStopped);
        Assert.Equal(1, wakes);
    }

    [Fact]
    public async Task DrainController_Account_CountsUndeliveredAndNotReplayed_AndFailsTheWaitersWithTheNumbers()
    {
        using var drain = new DrainController(_time);
        drain.Begin(TimeSpan.Zero, () => { });
        var progress = new DeliveryProgress();
        Task waiting = progress.WaitForDeliveryAsync(1, () => { }, Ct);
        var leftovers = new Leftovers { UndeliveredPoints = 7, NotReplayedPoints = 5 };
        drain.Account(leftovers, kept: false, _counters, progress, NullLogger.Instance, "memory:2003");
        Assert.Equal((7L, 5L), (Stats.PointsUndelivered, Stats.PointsNotReplayed));
        GraphiteException error = await Assert.ThrowsAsync<GraphiteException>(() => waiting);
        Assert.Contains("7 point(s) were not consumed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionManager_AConnectionLostBeforeCarbonConsumed_IsAFailedAttempt_TheNextWaitsTheBackOff()
    {
        var carbon = new MemoryCarbon(_time);
        var manager = new ConnectionManager(carbon, new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), () => 1.0), _time, NullLogger.Instance);
        Assert.Equal(ConnectOutcome.First, await manager.ConnectAsync(Ct));
        manager.Proven();
        await manager.LostAsync();

        // Lost after carbon consumed: reconnect at once, and the replay goes in probes until carbon consumes again.
        Assert.Equal(ConnectOutcome.Reconnected, await manager.ConnectAsync(Ct));
        Assert.True(manager.Probing);
        await manager.LostAsync(); // accepted, then closed: nothing consumed

        Task<ConnectOutcome> next = manager.ConnectAsync(Ct).AsTask();
        Assert.False(next.IsCompleted); // waits the back-off (1 s) first
        Assert.Equal(2, carbon.Attempts);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ConnectOutcome.Reconnected, await next);
        Assert.True(manager.Probing);
        await manager.LostAsync();

        Task<ConnectOutcome> third = manager.ConnectAsync(Ct).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(third.IsCompleted); // the back-off doubled: not reset by the accepted connection
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ConnectOutcome.Reconnected, await third);

        manager.Proven(); // carbon consumed: the back-off starts over, probing ends
        Assert.False(manager.Probing);
        await manager.LostAsync();
        Task<ConnectOutcome> atOnce = manager.ConnectAsync(Ct).AsTask();
        Assert.True(atOnce.IsCompleted);
        Assert.Equal(ConnectOutcome.Reconnected, await atOnce);
    }

    [Fact]
    public async Task SpoolCoordinatorNone_TheNoSpoolNullObject_ReadsNothingBackAndKeepsNothing()
    {
        SpoolCoordinator none = SpoolCoordinator.None;
        Assert.Null(none.FromDisk);
        Assert.False(none.KeepsLeftovers);
        none.Start();
        none.Retire(10);
        none.ReadBack([], _released);
        none.Close(new Leftovers(), 10);
        Assert.True(await none.StopWriterAsync(TimeSpan.Zero));
        Assert.Empty(_released);
    }
}
