using AioGraphite.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Tests.Pipeline;

/// <summary>
/// The whole pipeline (client, buffer, loop, ledger) against an in-memory carbon on a fake clock: replay after outages of
/// any length, frozen carbon, delivery receipts, dead peers, close accounting and back-pressure. No sockets, no sleeps.
/// </summary>
public sealed class SenderLoopTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    private (GraphiteClient Client, MemoryCarbon Carbon) Start(GraphiteClientOptions? options = null, bool reachable = true)
    {
        var carbon = new MemoryCarbon(_time) { Reachable = reachable };
        options = (options ?? new GraphiteClientOptions()) with { TimeProvider = _time, ConnectionFactory = _ => carbon };
        return (GraphiteClient.Create("memory", 2003, options: options), carbon);
    }

    [Fact]
    public async Task LongOutage_EverythingCarbonMayHaveLostIsReplayed_HoweverLongTheBackOffLasted()
    {
        (GraphiteClient client, MemoryCarbon carbon) = Start();
        await using ClosesAtOnce _ = new(client);
        Datapoint[] before = TestPoints.Series("outage.before", 100);
        await client.SendMultipleAsync(before, cancellationToken: Ct);
        await client.FlushAsync(Ct);
        await carbon.UntilAsync(() => client.Statistics.PointsDelivered == 100, "the points consumed", _time, TimeSpan.FromMilliseconds(10));

        // carbon dies (losing its cache) and stays away for ten minutes of back-off.
        carbon.Reachable = false;
        carbon.Connections[0].Close(orderly: false);
        DateTimeOffset lostAt = _time.GetUtcNow();
        await carbon.UntilAsync(() => _time.GetUtcNow() - lostAt > TimeSpan.FromMinutes(10) && carbon.Attempts > 20, "ten minutes of failed attempts", _time, TimeSpan.FromSeconds(5));
        Datapoint[] during = TestPoints.Series("outage.during", 10);
        await client.SendMultipleAsync(during, cancellationToken: Ct);

        carbon.Reachable = true;
        await carbon.UntilAsync(() => carbon.Connections.Count == 2 && carbon.Connections[1].Lines.Length == 110, "the reconnect and the replay", _time, TimeSpan.FromSeconds(5));
        Assert.Equal([.. TestPoints.LinesOf(before), .. TestPoints.LinesOf(during)], carbon.Connections[1].Lines);
        GraphiteClientStatistics stats = client.Statistics;
        Assert.Equal(1, stats.Reconnects);
        Assert.Equal(100, stats.PointsReplayed);
    }

    [Fact]
    public async Task FrozenCarbon_NothingAgesOut_AndEverythingIsReplayedAfterItDies()
    {
        (GraphiteClient client, MemoryCarbon carbon) = Start();
        await using ClosesAtOnce _ = new(client);
        carbon.ConsumesOnWrite = false; // frozen: the kernel takes the bytes, the process reads nothing
        Datapoint[] sent = TestPoints.Series("frozen", 50);
        await client.SendMultipleAsync(sent, cancellationToken: Ct);
        await client.FlushAsync(Ct);

        _time.Advance(TimeSpan.FromHours(2)); // far beyond the replay window
        Assert.Equal(0, client.Statistics.PointsDelivered);
        Assert.Equal(50, client.Statistics.InFlightPoints);

        carbon.Connections[0].Close(orderly: false); // killed while frozen
        carbon.ConsumesOnWrite = true;
        await carbon.UntilAsync(() => carbon.Connections.Count == 2 && carbon.Connections[1].Lines.Length == 50, "the replay", _time, TimeSpan.FromSeconds(1));
        Assert.Equal(TestPoints.LinesOf(sent), carbon.Connections[1].Lines);
    }

    [Fact]
    public async Task ConsumedLongAgo_IsNotReplayed_WhileRecentlyConsumedIs()
    {
        (GraphiteClient client, MemoryCarbon carbon) = Start();
        await using ClosesAtOnce _ = new(client);
        Datapoint[] old = TestPoints.Series("age.old", 10);
        await client.SendMultipleAsync(old, cancellationToken: Ct);
        await client.FlushAsync(Ct);
        await carbon.UntilAsync(() => client.Statistics.PointsDelivered == 10, "the old points consumed", _time, TimeSpan.FromMilliseconds(10));

        _time.Advance(TimeSpan.FromMinutes(2)); // longer than the replay window, carbon healthy throughout
        Datapoint[] recent = TestPoints.Series("age.recent", 10);
        await client.SendMultipleAsync(recent, cancellationToken: Ct);
        await client.FlushAsync(Ct);
        await carbon.UntilAsync(() => client.Statistics.PointsDelivered == 20, "the recent points consumed", _time, TimeSpan.FromMilliseconds(10));

        carbon.Connections[0].Close(orderly: false);
        await carbon.UntilAsync(() => carbon.Connections.Count == 2 && carbon.Connections[1].Lines.Length == 10, "the replay", _time, TimeSpan.FromMilliseconds(100));
        Assert.Equal(TestPoints.LinesOf(recent), carbon.Connections[1].Lines);
    }

    [Fact]
    public async Task WaitForDeliveryAsync_EndsTheStream_CompletesOnCarbonsOrderlyClose_AndRenewsTheConnectionWithoutReplay()
    {
        (GraphiteClient client, MemoryCarbon carbon) = Start();
        await using ClosesAtOnce _ = new(client);
        carbon.ConsumesOnWrite = false; // only the receipt can prove delivery
        Datapoint[] first = TestPoints.Series("receipt.first", 20);
        await client.SendMultipleAsync(first, cancellationToken: Ct);
        await client.WaitForDeliveryAsync(Ct);

        Assert.True(carbon.Connections[0].EndedByClient);
        Assert.Equal(TestPoints.LinesOf(first), carbon.Connections[0].Lines);
        GraphiteClientStatistics stats = client.Statistics;
        Assert.Equal(20, stats.PointsDelivered);
        Assert.Equal(0, stats.InFlightPoints);

        Datapoint[] second = TestPoints.Series("receipt.second", 5);
        await client.SendMultipleAsync(second, cancellationToken: Ct);
        await client.FlushAsync(Ct);
        Assert.Equal(2, carbon.Connections.Count);
        Assert.Equal(TestPoints.LinesOf(second), carbon.Connections[1].Lines); // nothing replayed: the first connection ended in order
        Assert.Equal(0, client.Statistics.Reconnects);
    }

    [Fact]
    public async Task WaitForDeliveryAsync_CarbonDoesNotCloseWithinTheDeadPeerTimeout_ReconnectsReplaysAndAsksAgain()
    {
        (GraphiteClient client, MemoryCarbon carbon) = Start();
        await using ClosesAtOnce _ = new(client);
        carbon.ConsumesOnWrite = false;
        carbon.ClosesOnEndOfStream = false; // frozen at the end of the stream
        Datapoint[] sent = TestPoints.Series("receipt.frozen", 30);
        await client.SendMultipleAsync(sent, cancellationToken: Ct);
        Task delivered = client.WaitForDeliveryAsync(Ct);
        await carbon.UntilAsync(() => carbon.Connections.Count == 1 && carbon.Connections[0].EndedByClient, "the end of stream");
        Assert.False(delivered.IsCompleted);

        carbon.ClosesOnEndOfStream = true; // carbon comes back (restarted); the dead-peer timeout runs out on the fake clock
        await carbon.UntilAsync(() => delivered.IsCompleted, "the delivery after the reconnect", _time, TimeSpan.FromSeconds(1));
        await delivered;
        Assert.Equal(TestPoints.LinesOf(sent), carbon.Connections[1].Lines);
        Assert.True(carbon.Connections[1].EndedByClient);
        Assert.Equal(30, client.Statistics.PointsDelivered);
        Assert.Equal(1, client.Statistics.Reconnects);
    }

    [Fact]
    public async Task CloseAsync_CarbonNeverConfirms_CountsWhatItDidNotConsumeAsUndelivered()
    {
        (GraphiteClient client, MemoryCarbon carbon) = Start(new GraphiteClientOptions { DrainTimeout = TimeSpan.FromSeconds(10) });
        carbon.ConsumesOnWrite = false;
        carbon.ClosesOnEndOfStream = false;
        await client.SendMultipleAsync(TestPoints.Series("close.frozen", 40), cancellationToken: Ct);
        await client.FlushAsync(Ct);
        Task closing = client.CloseAsync();
        await carbon.UntilAsync(() => carbon.Connections[0].EndedByClient, "the end of stream");
        Assert.False(closing.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(10));
        await closing.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        GraphiteClientStatistics stats = client.Statistics;
        Assert.Equal(40, stats.PointsWritten);
        Assert.Equal(0, stats.PointsDelivered);
        Assert.Equal(40, stats.PointsUndelivered);
    }

    [Fact]
    public async Task CloseAsync_HealthyCarbon_ProvesDeliveryOfEverything()
    {
        (GraphiteClient client, MemoryCarbon carbon) = Start();
        carbon.ConsumesOnWrite = false;
        await client.SendMultipleAsync(TestPoints.Series("close.healthy", 40), cancellationToken: Ct);
        await client.CloseAsync();
        GraphiteClientStatistics stats = client.Statistics;
        Assert.Equal(40, stats.PointsDelivered);
        Assert.Equal(0, stats.PointsUndelivered);
        Assert.True(carbon.Connections[0].EndedByClient);
    }

    [Fact]
    public async Task FullBuffer_WhileCarbonIsConnected_AwaitingSendsWaitForRoomInsteadOfDropping()
    {
        var options = new GraphiteClientOptions { BatchSizeBytes = 4096, BufferCapacityBytes = 2 * 4096 };
        (GraphiteClient client, MemoryCarbon carbon) = Start(options);
        await using ClosesAtOnce _ = new(client);
        await client.SendAsync("bp.first", 0, 1, Ct);
        await client.FlushAsync(Ct);
        carbon.Connections[0].BlockWrites(); // a reachable carbon that is slower than the producer

        Datapoint[] many = TestPoints.Series("bp.many", 2_000);
        ValueTask send = client.SendMultipleAsync(many, cancellationToken: Ct);
        Assert.False(send.IsCompleted); // the buffer (two segments) is full: the call waits
        await carbon.UntilAsync(() => client.Statistics.BufferedBytes > 0, "a batch stuck in the write");

        carbon.Connections[0].OpenWrites();
        await send;
        await client.FlushAsync(Ct);
        Assert.Equal(0, client.Statistics.PointsDroppedBufferFull);
        Assert.Equal([.. TestPoints.LinesOf([new Datapoint("bp.first", 0, 1)]), .. TestPoints.LinesOf(many)], carbon.AllLines);
    }

    [Fact]
    public async Task FullBuffer_WhileCarbonIsUnreachable_TheDropPolicyApplies()
    {
        var options = new GraphiteClientOptions { BatchSizeBytes = 4096, BufferCapacityBytes = 2 * 4096, FullBufferPolicy = FullBufferPolicy.DropNewest };
        (GraphiteClient client, _) = Start(options, reachable: false); // unreachable from the start: the loop must not connect first
        await client.SendMultipleAsync(TestPoints.Series("drop.many", 2_000), cancellationToken: Ct); // completes at once
        GraphiteClientStatistics stats = client.Statistics;
        Assert.True(stats.PointsDroppedBufferFull > 0, stats.ToString());
        Assert.Equal(2_000, stats.PointsAccepted + stats.PointsDroppedBufferFull);
        await client.CloseAsync(TimeSpan.Zero);
    }

    [Fact]
    public async Task FullBuffer_ConnectedButNoRoomFreedForTheWaitTimeout_TheDropPolicyApplies()
    {
        var options = new GraphiteClientOptions { BatchSizeBytes = 4096, BufferCapacityBytes = 2 * 4096, FullBufferPolicy = FullBufferPolicy.DropNewest };
        (GraphiteClient client, MemoryCarbon carbon) = Start(options);
        await client.SendAsync("stall.first", 0, 1, Ct);
        await client.FlushAsync(Ct);
        carbon.Connections[0].BlockWrites(); // frozen: nothing will ever be freed

        ValueTask send = client.SendMultipleAsync(TestPoints.Series("stall.many", 2_000), cancellationToken: Ct);
        await carbon.UntilAsync(() => send.IsCompleted, "the send to give up", _time, TimeSpan.FromSeconds(1));
        await send;
        Assert.True(client.Statistics.PointsDroppedBufferFull > 0);
        await client.CloseAsync(TimeSpan.Zero);
    }

    /// <summary>Closes the client with no drain time (the fake clock would never end a drain).</summary>
    private sealed class ClosesAtOnce(GraphiteClient client) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => new(client.CloseAsync(TimeSpan.Zero));
    }
}
