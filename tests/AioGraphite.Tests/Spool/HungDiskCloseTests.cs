using AioGraphite.Pipeline;
using AioGraphite.Tests.Support;
using AioGraphite.TestUtilities;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Tests.Spool;

/// <summary>
/// <c>CloseAsync</c> returns within <c>DrainTimeout</c> (plus <see cref="DrainController.CloseGrace"/> twice) even when the
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
        await client.SendMultipleAsync(TestPoints.Series("hung.disk", 100), cancellationToken: Ct); // below a backlog: the close wakes the writer

        DateTimeOffset closedAt = _time.GetUtcNow();
        Task close = client.CloseAsync(DrainTimeout);
        await disk.Hanging.WaitAsync(TimeSpan.FromSeconds(20), Ct); // the writer's last append (or its sync) hangs
        await carbon.UntilAsync(() => close.IsCompleted, "the close", _time, Step);
        await close;

        TimeSpan took = _time.GetUtcNow() - closedAt;
        Assert.InRange(took, DrainTimeout, DrainTimeout + DrainController.CloseGrace + DrainController.CloseGrace + Step);
        GraphiteClientStatistics stats = client.Statistics;
        Assert.Equal(0, stats.PointsDelivered);
        Assert.Equal(100, stats.PointsUndelivered); // never spooled: lost with the memory, and counted
        Assert.Empty(carbon.AllLines);
        Assert.Equal(1, logs.Count("SpoolWriterHung"));

        // The disk answers again: the abandoned writer releases the spool, and a new client can open it.
        disk.Release();
        GraphiteClient? next = null;
        await Poll.UntilAsync(() => (next = TryCreate(carbon, logs)) is not null, TimeSpan.FromSeconds(20), () => "the spool released");
        Assert.Equal(1, logs.Count("SpoolReleasedAfterClose"));
        await next!.CloseAsync(TimeSpan.Zero);
    }

    [Fact]
    public async Task Close_WhileTheSenderHangsReadingTheSpoolBack_ReturnsWithinTheDrainTimeout_AndCountsWhatWasNotConsumed()
    {
        var carbon = new MemoryCarbon(_time);
        var logs = new ListLoggerFactory();
        using var disk = new HangingSpoolDisk();
        GraphiteClient client = GraphiteClient.Create("memory", 2003, options: Options(carbon, disk, logs, bufferBytes: 2 * 4096));
        await carbon.UntilAsync(() => carbon.Connections.Count == 1, "the connection");
        carbon.Connections[0].BlockWrites(); // carbon stalls: what does not fit in memory is only on disk
        foreach (Datapoint[] chunk in TestPoints.Series("hung.read", 2_000).Chunk(100))
        {
            // ~50 KB through 8 KiB of memory: only spooled segments may leave memory, so each chunk waits until the spool
            // writer (on its timer: the fake clock moves) has taken what was sealed before the next one comes.
            await client.SendMultipleAsync(chunk, cancellationToken: Ct);
            await carbon.UntilAsync(() => client.Statistics.Spool.PointsSpooled >= client.Statistics.PointsAccepted - 200, "the sealed segments spooled", _time, Step);
        }

        Assert.Equal(0, client.Statistics.PointsDroppedBufferFull);

        await carbon.UntilAsync(() => client.Statistics.Spool.PointsSpooled > 1_800, "everything sealed spooled (the open segment holds ~150 points)", _time, Step);
        disk.HangReads = true;
        carbon.Connections[0].OpenWrites(); // the sender goes on (on the thread pool) and reads the spool back: the read hangs
        await disk.Hanging.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        DateTimeOffset closedAt = _time.GetUtcNow();
        Task close = client.CloseAsync(DrainTimeout);

        // The clock read as the close completes (synchronously on the completing thread). The test moves the fake clock
        // from thread-pool tasks, one at a time and only once the pool has run what was queued; on a loaded machine the
        // close's continuations may still be late by a few steps (fresh-clone CI runs read 4.2, 4.3 and 4.6 s before the
        // steps waited for the pool): the bound allows ten steps of that. The bug it guards against is a close that never
        // returns, which runs the clock on for 200 s.
        Task<TimeSpan> took = close.ContinueWith(_ => _time.GetUtcNow() - closedAt, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await AdvanceElsewhereUntilAsync(close, "the close");
        await close;

        Assert.InRange(await took, DrainTimeout, DrainTimeout + DrainController.CloseGrace + DrainController.CloseGrace + (10 * Step));
        GraphiteClientStatistics stats = client.Statistics;
        Assert.Equal(2_000, stats.PointsDelivered + stats.PointsUndelivered);
        Assert.True(stats.PointsUndelivered > 0, stats.ToString());
        Assert.Equal(1, logs.Count("SenderHung"));

        // The disk answers again: the sender ends by itself (sending nothing more) and releases the spool; what carbon did not
        // consume is still there.
        disk.Release();
        GraphiteClient? next = null;
        await Poll.UntilAsync(() => (next = TryCreate(carbon, logs)) is not null, TimeSpan.FromSeconds(20), () => "the spool released");
        Assert.InRange(next!.Statistics.Spool.PointsRecovered, stats.PointsUndelivered, 2_000);
        Assert.Equal(stats.PointsDelivered, client.Statistics.PointsDelivered);
        await next.CloseAsync(TimeSpan.Zero);
    }

    /// <summary>
    /// Advances the clock step by step until <paramref name="done"/> completes, each step on a thread-pool thread: a
    /// continuation of the sender runs inline in a timer callback, and if it hangs in a read it must not hang this thread.
    /// A step is taken only once the one before it has started and the thread pool has run what was queued (or 20 ms have
    /// passed: other tests share the pool): the close's own continuations run before the clock moves on, so the close
    /// reads its deadlines on time rather than a loaded pool's delay late.
    /// </summary>
    private async Task AdvanceElsewhereUntilAsync(Task done, string what)
    {
        int queued = 0;
        int started = 0;
        for (int i = 0; i < 2_000 && !done.IsCompleted; i++)
        {
            for (int wait = 0; wait < 20 && !done.IsCompleted && (Volatile.Read(ref started) != queued || ThreadPool.PendingWorkItemCount > 0); wait++)
            {
                await Task.WhenAny(done, Task.Delay(1, Ct));
            }

            if (done.IsCompleted || Volatile.Read(ref started) != queued)
            {
                continue; // the step before still waits for a thread: never two queued
            }

            queued++;
            _ = Task.Run(
                () =>
                {
                    Interlocked.Increment(ref started);
                    _time.Advance(Step);
                },
                Ct);
            await Task.WhenAny(done, Task.Delay(5, Ct));
        }

        Assert.True(done.IsCompleted, $"{what} did not happen");
    }

    /// <summary>A client on the same spool, or null while another holds its lock.</summary>
    private GraphiteClient? TryCreate(MemoryCarbon carbon, ListLoggerFactory logs)
    {
        try
        {
            return Create(carbon, AioGraphite.Spool.SpoolFileSystem.Default, logs);
        }
        catch (GraphiteException)
        {
            return null;
        }
    }

    private GraphiteClient Create(MemoryCarbon carbon, AioGraphite.Spool.SpoolFileSystem disk, ListLoggerFactory logs) =>
        GraphiteClient.Create("memory", 2003, options: Options(carbon, disk, logs));

    private GraphiteClientOptions Options(MemoryCarbon carbon, AioGraphite.Spool.SpoolFileSystem disk, ListLoggerFactory logs, long bufferBytes = 64L << 20) =>
        new()
        {
            BufferCapacityBytes = bufferBytes,
            FullBufferPolicy = FullBufferPolicy.DropNewest,
            TimeProvider = _time,
            ConnectionFactory = _ => carbon,
            SpoolDirectory = _spool,
            SpoolFileSystem = disk,
            SpoolSyncInterval = TimeSpan.Zero, // a sync after every append
            BatchSizeBytes = 4096,
            LoggerFactory = logs,
        };
}
