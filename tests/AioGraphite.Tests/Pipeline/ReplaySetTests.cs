using AioGraphite.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Tests.Pipeline;

/// <summary>
/// The replay set at the edges of a run, against an in-memory carbon on a fake clock: an idle client facing a frozen
/// carbon, a close that gives up (with and without a spool), a clean close, and a terminator that accepts and closes at
/// once. What carbon read but may still lose is never thrown away. No sockets, no sleeps.
/// </summary>
public sealed class ReplaySetTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private readonly string _spool = Path.Combine(Path.GetTempPath(), $"aiographite-replayset-{Guid.NewGuid():N}");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_spool))
        {
            Directory.Delete(_spool, recursive: true);
        }
    }

    private GraphiteClient Create(MemoryCarbon carbon, bool spool = false) =>
        GraphiteClient.Create("memory", 2003, options: new GraphiteClientOptions
        {
            TimeProvider = _time,
            ConnectionFactory = _ => carbon,
            SpoolDirectory = spool ? _spool : null,
            BatchSizeBytes = 4096,
        });

    private async Task<(GraphiteClient Client, Datapoint[] Sent)> SendAndSeeConsumed(MemoryCarbon carbon, bool spool, int count = 40)
    {
        GraphiteClient client = Create(carbon, spool);
        Datapoint[] sent = TestPoints.Series("replayset", count);
        await client.SendMultipleAsync(sent, cancellationToken: Ct);
        await client.FlushAsync(Ct);
        await carbon.UntilAsync(() => client.Statistics.PointsDelivered == count, "the points consumed", _time, TimeSpan.FromMilliseconds(10));
        return (client, sent);
    }

    /// <summary>Closes with <paramref name="drain"/>, moving the fake clock until the close is done.</summary>
    private Task CloseAdvancingTime(GraphiteClient client, TimeSpan drain, MemoryCarbon carbon)
    {
        Task close = client.CloseAsync(drain);
        return carbon.UntilAsync(() => close.IsCompleted, "the close to give up", _time, TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task IdleClient_CarbonFrozenFarLongerThanTheWindow_ThenKilled_ReplaysWhatItHadRead()
    {
        // A once-a-minute reporter gone quiet: carbon read its points, froze (holding them in its cache), and died.
        var carbon = new MemoryCarbon(_time);
        (GraphiteClient client, Datapoint[] sent) = await SendAndSeeConsumed(carbon, spool: false);
        carbon.ConsumesOnWrite = false;
        for (int i = 0; i < 120; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1)); // two idle minutes: wall-clock time, not carbon's running time
        }

        carbon.Connections[0].Close(orderly: false);
        carbon.ConsumesOnWrite = true;
        await carbon.UntilAsync(() => carbon.Connections.Count == 2 && carbon.Connections[1].Lines.Length == sent.Length, "the replay", _time, TimeSpan.FromMilliseconds(100));
        Assert.Equal(TestPoints.LinesOf(sent), carbon.Connections[1].Lines);
        Assert.Equal(sent.Length, client.Statistics.PointsReplayed);
        await client.CloseAsync();
        Assert.Equal(0, client.Statistics.PointsNotReplayed);
    }

    [Fact]
    public async Task GiveUp_WithASpool_KeepsWhatCarbonReadBeforeItDied_AndTheNextRunSendsItFirst()
    {
        var carbon = new MemoryCarbon(_time);
        (GraphiteClient first, Datapoint[] sent) = await SendAndSeeConsumed(carbon, spool: true);
        carbon.Reachable = false;
        carbon.Connections[0].Close(orderly: false); // carbon killed after reading: its cache is gone
        await CloseAdvancingTime(first, TimeSpan.FromSeconds(1), carbon); // gives up: carbon stays down
        GraphiteClientStatistics stats = first.Statistics;
        Assert.Equal(sent.Length, stats.PointsDelivered);
        Assert.Equal(sent.Length, stats.PointsNotReplayed);
        Assert.Equal(0, stats.PointsUndelivered);

        var back = new MemoryCarbon(_time);
        GraphiteClient second = Create(back, spool: true);
        Assert.Equal(sent.Length, second.Statistics.Spool.PointsRecovered);
        await second.CloseAsync();
        Assert.Equal(TestPoints.LinesOf(sent), back.AllLines);
        Assert.Equal(0, second.Statistics.PointsNotReplayed);
        Assert.False(Directory.Exists(_spool) && Directory.EnumerateFiles(_spool, "*.spool", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task GiveUp_WithoutASpool_CountsWhatCarbonMayHaveLost_AsNotReplayed()
    {
        var carbon = new MemoryCarbon(_time);
        (GraphiteClient client, Datapoint[] sent) = await SendAndSeeConsumed(carbon, spool: false);
        carbon.Reachable = false;
        carbon.Connections[0].Close(orderly: false);
        await CloseAdvancingTime(client, TimeSpan.FromSeconds(1), carbon);
        GraphiteClientStatistics stats = client.Statistics;
        Assert.Equal(sent.Length, stats.PointsNotReplayed);
        Assert.Equal(0, stats.PointsUndelivered);
    }

    [Fact]
    public async Task GiveUp_WithCarbonFrozen_KeepsTheRetainedWindowToo()
    {
        // No lost connection at all: carbon read, then froze; the close's receipt never comes.
        var carbon = new MemoryCarbon(_time) { ClosesOnEndOfStream = true };
        (GraphiteClient client, Datapoint[] sent) = await SendAndSeeConsumed(carbon, spool: true);
        carbon.ConsumesOnWrite = false;
        carbon.ClosesOnEndOfStream = false;
        carbon.Reachable = false;
        await CloseAdvancingTime(client, TimeSpan.FromSeconds(5), carbon);
        Assert.Equal(sent.Length, client.Statistics.PointsNotReplayed);

        var back = new MemoryCarbon(_time);
        GraphiteClient second = Create(back, spool: true);
        await second.CloseAsync();
        Assert.Equal(TestPoints.LinesOf(sent), back.AllLines);
    }

    [Fact]
    public async Task CleanClose_CarbonConfirmsTheEnd_KeepsNothing_AndRemovesTheSpool()
    {
        var carbon = new MemoryCarbon(_time);
        (GraphiteClient client, Datapoint[] sent) = await SendAndSeeConsumed(carbon, spool: true);
        await client.CloseAsync();
        GraphiteClientStatistics stats = client.Statistics;
        Assert.Equal((40L, 0L, 0L), (stats.PointsDelivered, stats.PointsNotReplayed, stats.PointsUndelivered));
        Assert.True(carbon.Connections[^1].EndedByClient);
        Assert.False(Directory.Exists(_spool) && Directory.EnumerateFiles(_spool, "*.spool", SearchOption.AllDirectories).Any());
        Assert.Equal(TestPoints.LinesOf(sent), carbon.AllLines);
    }

    [Fact]
    public async Task TerminatorWhoseCarbonIsDown_AcceptsAndCloses_NoStorm_AndTheReplaySetIsNotPouredIntoEachAttempt()
    {
        var carbon = new MemoryCarbon(_time);
        (GraphiteClient client, Datapoint[] sent) = await SendAndSeeConsumed(carbon, spool: false, count: 2000);
        carbon.AcceptsThenCloses = true;
        carbon.Connections[0].Close(orderly: false); // carbon behind the terminator died
        DateTimeOffset lostAt = _time.GetUtcNow();
        await carbon.UntilAsync(() => _time.GetUtcNow() - lostAt >= TimeSpan.FromSeconds(20) || carbon.Connections.Count > 50, "twenty seconds of attempts", _time, TimeSpan.FromMilliseconds(100));

        // Back-off 100 ms doubling to 10 s: about eight attempts in 20 s, not one per loop turn.
        int attempts = carbon.Connections.Count - 1;
        Assert.InRange(attempts, 3, 12);
        long segmentBytes = 4096;
        Assert.All(carbon.Connections.Skip(1), c => Assert.True(c.BytesWritten <= segmentBytes, $"a probe only, not the replay set: {c}"));

        carbon.AcceptsThenCloses = false;
        await carbon.UntilAsync(() => carbon.Connections[^1].Lines.Length == sent.Length, "the replay once carbon is back", _time, TimeSpan.FromSeconds(1));
        Assert.Equal(TestPoints.LinesOf(sent), carbon.Connections[^1].Lines);
        Assert.InRange(client.Statistics.PointsReplayed, sent.Length, 2 * sent.Length);
        await client.CloseAsync();
        Assert.Equal((0L, 0L), (client.Statistics.PointsNotReplayed, client.Statistics.PointsUndelivered));
    }
}
