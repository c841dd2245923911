using AioGraphite.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Tests.Spool;

/// <summary>The client with a disk spool against an in-memory carbon on a fake clock: outages longer than memory, restarts, the lock.</summary>
public sealed class SpoolPipelineTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private readonly string _spool = Path.Combine(Path.GetTempPath(), $"aiographite-spool-pipeline-{Guid.NewGuid():N}");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_spool))
        {
            Directory.Delete(_spool, recursive: true);
        }
    }

    private GraphiteClient Create(MemoryCarbon carbon, long bufferBytes = 64L << 20) =>
        GraphiteClient.Create("memory", 2003, options: new GraphiteClientOptions
        {
            TimeProvider = _time,
            ConnectionFactory = _ => carbon,
            SpoolDirectory = _spool,
            SpoolLockTimeout = TimeSpan.Zero, // a second client on the spool fails at once (waiting: SpoolLockTests)
            BatchSizeBytes = 4096,
            BufferCapacityBytes = bufferBytes,
            FullBufferPolicy = FullBufferPolicy.DropNewest,
        });

    private string[] SpoolFiles() => Directory.Exists(_spool) ? [.. Directory.EnumerateFiles(_spool, "*.spool", SearchOption.AllDirectories)] : [];

    [Fact]
    public async Task CarbonDownLongerThanMemoryHolds_NothingIsDropped_EverythingArrivesInOrder()
    {
        var carbon = new MemoryCarbon(_time) { Reachable = false };
        GraphiteClient client = Create(carbon, bufferBytes: 2 * 4096);
        Datapoint[] sent = TestPoints.Series("spool.outage", 5_000); // ~130 KB through a buffer of 8 KiB
        foreach (Datapoint[] chunk in sent.Chunk(100))
        {
            await client.SendMultipleAsync(chunk, cancellationToken: Ct);
        }

        Assert.Equal(0, client.Statistics.PointsDroppedBufferFull);
        await carbon.UntilAsync(() => client.Statistics.Spool.PointsSpooled == 5_000, "everything spooled", _time, TimeSpan.FromMilliseconds(50));
        Assert.True(client.Statistics.Spool.Files > 0);

        carbon.Reachable = true;
        await carbon.UntilAsync(() => carbon.AllLines.Length == 5_000, "the backlog delivered", _time, TimeSpan.FromSeconds(1));
        Assert.Equal(TestPoints.LinesOf(sent), carbon.AllLines);
        await client.CloseAsync();
        Assert.Equal(5_000, client.Statistics.PointsDelivered);
        Assert.Empty(SpoolFiles()); // an empty spool is cleaned up
        Assert.Empty(Directory.EnumerateFileSystemEntries(_spool)); // its directory too
    }

    [Fact]
    public async Task ClosedWhileCarbonIsDown_TheNextClientOnTheSpoolSendsWhatWasLeftFirst()
    {
        var down = new MemoryCarbon(_time) { Reachable = false };
        GraphiteClient first = Create(down);
        Datapoint[] left = TestPoints.Series("spool.left", 300);
        await first.SendMultipleAsync(left, cancellationToken: Ct);
        await first.CloseAsync(TimeSpan.Zero);
        Assert.Equal(300, first.Statistics.PointsUndelivered);
        Assert.Equal(300, first.Statistics.Spool.PointsSpooled); // the open batch too, however the close meets the writer
        Assert.NotEmpty(SpoolFiles());

        var up = new MemoryCarbon(_time);
        GraphiteClient second = Create(up);
        Assert.Equal(300, second.Statistics.Spool.PointsRecovered);
        Datapoint[] fresh = TestPoints.Series("spool.fresh", 10);
        await second.SendMultipleAsync(fresh, cancellationToken: Ct);
        await second.WaitForDeliveryAsync(Ct);
        Assert.Equal([.. TestPoints.LinesOf(left), .. TestPoints.LinesOf(fresh)], up.AllLines);
        await second.CloseAsync();
        Assert.Empty(SpoolFiles());
    }

    [Fact]
    public async Task WaitForDelivery_OfLessThanABacklog_DoesNotWaitForTheSpoolWritersTimer()
    {
        // A seal wakes the spool writer only for a backlog; below it the writer comes on its timer (the sync interval),
        // which this fake clock never reaches. A flush or a wait for delivery must wake it at once (it hung before).
        var carbon = new MemoryCarbon(_time);
        GraphiteClient client = Create(carbon);
        for (int round = 0; round < 20; round++)
        {
            Datapoint[] points = TestPoints.Series($"spool.wait.r{round}", 5);
            await client.SendMultipleAsync(points, cancellationToken: Ct);
            await client.WaitForDeliveryAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
            await client.SendMultipleAsync(points, cancellationToken: Ct);
            await client.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        }

        await client.WaitForDeliveryAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(200, carbon.AllLines.Length);
        await client.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(200, client.Statistics.PointsDelivered);
    }

    [Fact]
    public async Task CloseRightAfterSending_CarbonUp_DeliversEverything_RepeatedManyTimes()
    {
        // The close must wait for the spool writer to append the last batch, then send it: not stop the loop because
        // nothing could be taken yet.
        for (int round = 0; round < 50; round++)
        {
            var carbon = new MemoryCarbon(_time);
            GraphiteClient client = Create(carbon);
            Datapoint[] points = TestPoints.Series($"spool.closeup{round}", 7);
            await client.SendMultipleAsync(points, cancellationToken: Ct);
            await client.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.True(client.Statistics.PointsDelivered == 7, $"round {round}: {client.Statistics}");
            Assert.Equal(TestPoints.LinesOf(points), carbon.AllLines);
            Assert.Empty(SpoolFiles());
        }
    }

    [Fact]
    public async Task CloseRightAfterSending_RepeatedManyTimes_EveryAcceptedPointIsOnDisk()
    {
        // Regression: a close that landed between the spool writer's seal check and its stop check ended the writer with
        // the open batch never spooled (found by the spool-recovery benchmark: 65 to 34,241 points missing).
        const int Rounds = 200;
        for (int round = 0; round < Rounds; round++)
        {
            var down = new MemoryCarbon(_time) { Reachable = false };
            GraphiteClient client = Create(down);
            await client.SendMultipleAsync(TestPoints.Series($"spool.close{round}", 37), cancellationToken: Ct);
            await client.CloseAsync(TimeSpan.Zero);
            Assert.Equal(37, client.Statistics.Spool.PointsSpooled);
        }

        var up = new MemoryCarbon(_time);
        GraphiteClient drain = Create(up);
        Assert.Equal(37 * Rounds, drain.Statistics.Spool.PointsRecovered);
        await drain.CloseAsync(TimeSpan.Zero);
    }

    [Fact]
    public async Task TwoClientsOnOneSpool_TheSecondFailsFast_NamingTheDirectoryAndTheHolder()
    {
        var carbon = new MemoryCarbon(_time);
        GraphiteClient first = Create(carbon);
        try
        {
            GraphiteException ex = Assert.Throws<GraphiteException>(() => Create(carbon));
            Assert.Contains(_spool, ex.Message, StringComparison.Ordinal);
            Assert.Contains($"process {Environment.ProcessId}", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            await first.CloseAsync(TimeSpan.Zero);
        }

        GraphiteClient again = Create(carbon); // released on close
        await again.CloseAsync(TimeSpan.Zero);
    }

    [Fact]
    public void SpoolDirectoryThatCannotBeCreated_CreateThrows_NamingThePathAndTheReason()
    {
        string file = Path.Combine(Path.GetTempPath(), $"aiographite-not-a-dir-{Guid.NewGuid():N}");
        File.WriteAllText(file, "x");
        try
        {
            var options = new GraphiteClientOptions { SpoolDirectory = Path.Combine(file, "spool"), TimeProvider = _time, ConnectionFactory = _ => new MemoryCarbon(_time) };
            GraphiteException ex = Assert.Throws<GraphiteException>(() => GraphiteClient.Create("memory", 2003, options: options));
            Assert.Contains(file, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
