using AioGraphite.Pipeline;
using AioGraphite.Tests.Support;
using AioGraphite.TestUtilities;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Tests.Spool;

/// <summary>
/// <c>CloseAsync</c> returns within <c>DrainTimeout</c> (plus <see cref="SenderLoop.CloseGrace"/> twice) even when the
/// spool's disk hangs in a write or an fsync (issue 15: the close waited for the spool writer without a bound). Fake
/// clock, a disk whose operations block until released; no sleeps.
/// </summary>
public sealed class HungDiskCloseTests : IDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private readonly string _spool = Path.Combine(Path.GetTempPath(), $"aiographite-hung-disk-{Guid.NewGuid():N}");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_spool))
        {
            Directory.Delete(_spool, recursive: true);
        }
    }

    [Theory]
    [InlineData("write")]
    [InlineData("sync")]
    public async Task Close_WhileTheSpoolDiskHangs_ReturnsWithinTheDrainTimeout_CountsThePointsUndelivered_AndReleasesTheSpoolLater(string operation)
    {
        var carbon = new MemoryCarbon(_time);
        var logs = new ListLoggerFactory();
        using var disk = new HangingSpoolDisk { HangWrites = operation == "write", HangSyncs = operation == "sync" };
        GraphiteClient client = Create(carbon, disk, logs);
        await client.SendMultipleAsync(Points("hung.disk", 100), cancellationToken: Ct); // below a backlog: the close wakes the writer

        DateTimeOffset closedAt = _time.GetUtcNow();
        Task close = client.CloseAsync(DrainTimeout);
        await disk.Hanging.WaitAsync(TimeSpan.FromSeconds(20), Ct); // the writer's last append (or its sync) hangs
        await carbon.UntilAsync(() => close.IsCompleted, "the close", _time, Step);
        await close;

        TimeSpan took = _time.GetUtcNow() - closedAt;
        Assert.InRange(took, DrainTimeout, DrainTimeout + SenderLoop.CloseGrace + SenderLoop.CloseGrace + Step);
        GraphiteClientStatistics stats = client.Statistics;
        Assert.Equal(0, stats.PointsDelivered);
        Assert.Equal(100, stats.PointsUndelivered); // never spooled: lost with the memory, and counted
        Assert.Empty(carbon.AllLines);
        Assert.Equal(1, logs.Count("SpoolWriterHung"));

        // The disk answers again: the abandoned writer releases the spool, and a new client can open it.
        disk.Release();
        await Poll.UntilAsync(() => logs.Count("SpoolReleasedAfterClose") == 1, TimeSpan.FromSeconds(20), () => "the spool released");
        GraphiteClient next = Create(carbon, AioGraphite.Spool.SpoolDisk.Default, logs);
        await next.CloseAsync(TimeSpan.Zero);
    }

    private GraphiteClient Create(MemoryCarbon carbon, AioGraphite.Spool.SpoolDisk disk, ListLoggerFactory logs) =>
        GraphiteClient.Create("memory", 2003, options: new GraphiteClientOptions
        {
            TimeProvider = _time,
            ConnectionFactory = _ => carbon,
            SpoolDirectory = _spool,
            SpoolDisk = disk,
            SpoolSyncInterval = TimeSpan.Zero, // a sync after every append
            BatchSizeBytes = 4096,
            LoggerFactory = logs,
        });

    private static Datapoint[] Points(string name, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Datapoint(name, i, 1_600_000_000 + i))];
}
