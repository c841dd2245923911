using AioGraphite.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Tests.Pipeline;

/// <summary>
/// <see cref="GraphiteClient.GetConnectionStatus"/> as the sender loop keeps it, against an in-memory carbon on a fake
/// clock: never connected, connected, lost, replaying, reconnected, closed.
/// </summary>
public sealed class ConnectionStatusTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _time = new(Start);

    private (GraphiteClient Client, MemoryCarbon Carbon) Create(bool reachable = true, GraphiteClientOptions? options = null)
    {
        var carbon = new MemoryCarbon(_time) { Reachable = reachable };
        options = (options ?? new GraphiteClientOptions()) with { TimeProvider = _time, ConnectionFactory = _ => carbon };
        return (GraphiteClient.Create("memory", 2003, options: options), carbon);
    }

    [Fact]
    public async Task NeverConnected_IsDisconnectedSinceTheClientWasCreated_WithNoDelivery()
    {
        (GraphiteClient client, MemoryCarbon carbon) = Create(reachable: false);
        await using (new ClosesAtOnce(client))
        {
            await carbon.UntilAsync(() => carbon.Attempts >= 3, "three failed attempts", _time, TimeSpan.FromSeconds(1));

            GraphiteConnectionStatus status = client.GetConnectionStatus(0);
            Assert.False(status.IsConnected);
            Assert.Equal(Start, status.DisconnectedSince);
            Assert.Null(status.LastDeliveryTime);
            Assert.False(status.IsReplaying);
            Assert.False(status.HasConnected);
            Assert.Equal(System.Net.Sockets.SocketError.ConnectionRefused, status.LastConnectFailure?.SocketError);
            Assert.Equal("memory carbon is down", status.LastConnectFailure?.Message);
        }
    }

    [Fact]
    public async Task Connected_ReportsTheTimeCarbonLastConsumedPoints()
    {
        (GraphiteClient client, MemoryCarbon carbon) = Create();
        await using (new ClosesAtOnce(client))
        {
            await client.SendAsync("status.delivered", 1, 1_600_000_000, Ct);
            _time.Advance(TimeSpan.FromSeconds(3));
            await client.FlushAsync(Ct);
            await carbon.UntilAsync(() => client.Statistics.PointsDelivered == 1, "the point consumed");

            GraphiteConnectionStatus status = client.GetConnectionStatus(0);
            Assert.True(status.IsConnected);
            Assert.Null(status.DisconnectedSince);
            Assert.Equal(Start + TimeSpan.FromSeconds(3), status.LastDeliveryTime);
            Assert.False(status.IsReplaying);
            Assert.True(status.HasConnected);
            Assert.Null(status.LastConnectFailure);
        }
    }

    [Fact]
    public async Task LostConnection_IsDisconnectedSinceTheLossAndReplaying_UntilTheReplayIsWrittenOnTheNextConnection()
    {
        (GraphiteClient client, MemoryCarbon carbon) = Create();
        await using (new ClosesAtOnce(client))
        {
            carbon.ConsumesOnWrite = false; // carbon takes the bytes and reads nothing: they must be replayed
            await client.SendAsync("status.replayed", 1, 1_600_000_000, Ct);
            await client.FlushAsync(Ct);

            carbon.Reachable = false;
            _time.Advance(TimeSpan.FromSeconds(5));
            DateTimeOffset lostAt = _time.GetUtcNow();
            carbon.Connections[0].Close(orderly: false);
            // The loss is noticed without the clock moving (a moving clock would make the time of loss later than lostAt).
            await carbon.UntilAsync(() => !client.GetConnectionStatus(0).IsConnected, "the loss");
            await carbon.UntilAsync(() => carbon.Attempts >= 3, "failed attempts", _time, TimeSpan.FromSeconds(1));

            GraphiteConnectionStatus down = client.GetConnectionStatus(0);
            Assert.Equal(lostAt, down.DisconnectedSince);
            Assert.True(down.IsReplaying);
            Assert.Null(down.LastDeliveryTime);
            Assert.True(down.HasConnected);
            Assert.NotNull(down.LastConnectFailure);

            carbon.ConsumesOnWrite = true;
            carbon.Reachable = true;
            await carbon.UntilAsync(() => carbon.Connections.Count == 2 && carbon.Connections[1].Lines.Length == 1, "the replay", _time, TimeSpan.FromSeconds(1));
            await carbon.UntilAsync(() => client.Statistics.PointsDelivered == 1, "the replayed point consumed");

            GraphiteConnectionStatus up = client.GetConnectionStatus(0);
            Assert.True(up.IsConnected);
            Assert.False(up.IsReplaying);
            Assert.Null(up.LastConnectFailure); // cleared by the connection
            Assert.NotNull(up.LastDeliveryTime);
            Assert.True(up.LastDeliveryTime > lostAt);
        }
    }

    [Fact]
    public async Task DeliveryReceipt_ThenCarbonGone_IsDisconnectedSinceTheFirstFailedAttempt()
    {
        (GraphiteClient client, MemoryCarbon carbon) = Create();
        await using (new ClosesAtOnce(client))
        {
            await client.SendAsync("status.receipt", 1, 1_600_000_000, Ct);
            await client.FlushAsync(Ct);
            // Consumed as written, but counted when the loop next reads the evidence: wait for it before the clock moves
            // (else the delivery is timed after the move, and the check below could not tell it from the receipt's).
            await carbon.UntilAsync(() => client.Statistics.PointsDelivered == 1, "the point consumed");
            carbon.Reachable = false; // the open connection still takes the end of stream; a new one fails
            _time.Advance(TimeSpan.FromSeconds(5));
            Assert.True(client.GetConnectionStatus(0).IsConnected);

            await client.WaitForDeliveryAsync(Ct); // carbon's orderly close, then the renewal fails
            await carbon.UntilAsync(() => carbon.Attempts >= 2 && !client.GetConnectionStatus(0).IsConnected, "the failed renewal");
            DateTimeOffset failedAt = Start + TimeSpan.FromSeconds(5);
            Assert.Equal(failedAt, client.GetConnectionStatus(0).DisconnectedSince);

            await carbon.UntilAsync(() => carbon.Attempts >= 4, "more failed attempts", _time, TimeSpan.FromSeconds(1));
            Assert.Equal(failedAt, client.GetConnectionStatus(0).DisconnectedSince);
            Assert.Equal(Start, client.GetConnectionStatus(0).LastDeliveryTime); // consumed when written; the receipt added nothing new
        }
    }

    [Fact]
    public async Task ClosedClient_IsDisconnectedSinceItClosed()
    {
        (GraphiteClient client, _) = Create();
        await client.SendAsync("status.closed", 1, 1_600_000_000, Ct);
        await client.FlushAsync(Ct);
        _time.Advance(TimeSpan.FromSeconds(7));
        await client.CloseAsync(TimeSpan.Zero);

        Assert.Equal(Start + TimeSpan.FromSeconds(7), client.GetConnectionStatus(0).DisconnectedSince);
    }

    [Fact]
    public async Task GetConnectionStatus_IndexOutOfRange_Throws()
    {
        (GraphiteClient client, _) = Create();
        await using (new ClosesAtOnce(client))
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => client.GetConnectionStatus(1));
            Assert.Throws<ArgumentOutOfRangeException>(() => client.GetConnectionStatus(-1));
        }
    }

    private sealed class ClosesAtOnce(GraphiteClient client) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => new(client.CloseAsync(TimeSpan.Zero));
    }
}
