using AioGraphite.Pipeline;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static AioGraphite.Tests.Pipeline.PipelineTestSegments;

namespace AioGraphite.Tests.Pipeline;

/// <summary>The spool staging alone, and with a batch queue: waiting for the writer, spooled, evicted, read back first.</summary>
public sealed class SpoolStagingTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly SegmentPool _pool = new(new Lock(), TenPointSegmentBytes, limit: 16, idleSegments: 8);
    private int _wakes;
    private long _dropped;
    private DeferredWork _deferred;

    [Fact]
    public void Sealed_WithoutASpool_StagesNothing()
    {
        var staging = new SpoolStaging();
        Batch s = Sealed(1);

        Assert.False(staging.Sealed(s));
        Assert.Equal(0, staging.WaitingCount);
        Assert.Equal(BatchDurability.MemoryOnly, s.Durability);
        Assert.False(staging.TakesData);
    }

    [Fact]
    public void Sealed_SegmentsWaitPending_AndAskForTheWriterFromTheThresholdOn()
    {
        SpoolStaging staging = Attached(wakeAfterSegments: 2);
        Batch a = Sealed(1), b = Sealed(2), c = Sealed(3);

        Assert.Equal([false, true, true], new[] { staging.Sealed(a), staging.Sealed(b), staging.Sealed(c) });
        Assert.All([a, b, c], s => Assert.Equal(BatchDurability.Pending, s.Durability));
        Assert.Equal(0, _wakes); // asking is not waking: the caller wakes after its lock

        staging.Wake();
        Assert.Equal(1, _wakes);
    }

    [Fact]
    public void TakeToSpool_OldestFirstUpToTheBytes_AtLeastOne_AndMarkSpooledInOrder()
    {
        SpoolStaging staging = Attached();
        Batch a = Sealed(1), b = Sealed(2), c = Sealed(3);
        staging.Sealed(a);
        staging.Sealed(b);
        staging.Sealed(c);
        var batch = new List<Batch>();

        staging.TakeToSpool(batch, maxBytes: 1); // smaller than one segment: still one
        Assert.Equal([a], batch);
        batch.Clear();
        staging.TakeToSpool(batch, maxBytes: 2 * TenPointSegmentBytes);
        Assert.Equal([a, b], batch);

        staging.MarkSpooled(batch, [Location(1), Location(2)]);

        Assert.Equal((BatchDurability.Spooled, BatchDurability.Spooled, BatchDurability.Pending), (a.Durability, b.Durability, c.Durability));
        Assert.Equal(1, staging.WaitingCount);
    }

    [Fact]
    public void Suspend_WaitingSegmentsBecomeMemoryOnly_AndNewOnesAreNotStagedUntilResume()
    {
        SpoolStaging staging = Attached();
        Batch a = Sealed(1);
        staging.Sealed(a);

        staging.Suspend();
        Batch b = Sealed(2);
        bool staged = staging.Sealed(b);

        Assert.Equal(BatchDurability.MemoryOnly, a.Durability);
        Assert.False(staged);
        Assert.False(staging.TakesData);
        staging.Resume();
        Assert.True(staging.TakesData);
        Assert.True(staging.Sealed(Sealed(3)));
    }

    [Fact]
    public void FullQueue_EvictsSpooledSegmentsOldestFirst_AndTheyAreTakenBackFromDiskBeforeTheQueue()
    {
        SpoolStaging staging = Attached();
        var queue = new BatchQueue(new PlaintextFormat(), _pool, staging, maxSegments: 3, _time);
        Append(queue, 30, dropOldest: false, ref _dropped, ref _deferred); // 1 and 2 sealed and waiting, 3 open and full
        SpoolAllWaiting(staging);

        Append(queue, 11, dropOldest: false, ref _dropped, ref _deferred); // sealing 3 and opening 4 evicts 1; sealing 4 and opening 5 evicts 2

        Assert.Equal(0, _dropped); // nothing is lost: on disk only
        Assert.Equal(2, staging.OnDiskOnlyCount);
        Assert.Equal(1, staging.OldestOnDiskOnly);
        Assert.Equal(41, queue.BufferedPoints);
        var into = new List<Batch>();
        var fromDisk = new List<SpoolLocation>();
        queue.Take(into, int.MaxValue, sealOpen: false, long.MinValue, out long settledThrough, fromDisk, ref _deferred);
        Assert.Equal([1L, 2L], fromDisk.Select(r => r.Sequence));
        Assert.Empty(into); // records on disk come first
        Assert.Equal(2, settledThrough); // 3 is the lowest still held

        fromDisk.Clear();
        Assert.True(queue.HeadAwaitsSpool); // 3 and 4 wait for the writer: not to be taken yet
        SpoolAllWaiting(staging);
        queue.Take(into, int.MaxValue, sealOpen: false, long.MinValue, out settledThrough, fromDisk, ref _deferred);
        Assert.Equal([3L, 4L], into.Select(s => s.Sequence));
        Assert.Equal(4, settledThrough);
    }

    [Fact]
    public void FullQueue_SegmentWaitingForTheWriter_IsNeverDropped()
    {
        SpoolStaging staging = Attached();
        var queue = new BatchQueue(new PlaintextFormat(), _pool, staging, maxSegments: 3, _time);
        Append(queue, 30, dropOldest: true, ref _dropped, ref _deferred);

        Assert.Equal(AppendResult.Sealed | AppendResult.NoRoom, queue.AppendPoint(dropOldest: true, ref _dropped, ref _deferred));

        Assert.Equal(0, _dropped);
        Assert.True(queue.HeadAwaitsSpool);
        Assert.True(_deferred.WakeSpoolWriter); // sealing asked for the writer (threshold 1)
        Assert.Equal(0, _wakes); // and did not call it
    }

    [Fact]
    public void Clear_RecordsOnDiskOnlyBecomeLeftovers()
    {
        SpoolStaging staging = new();
        staging.Attach(() => _wakes++, 1, [Location(5, points: 7), Location(6, points: 3)]);
        var leftovers = new Leftovers();

        staging.Clear(ref leftovers);

        Assert.Equal((10L, 10L, 5L), (leftovers.UndeliveredPoints, leftovers.KeptPoints, leftovers.LowestKept));
        Assert.Equal(0, staging.OnDiskOnlyCount);
    }

    private SpoolStaging Attached(int wakeAfterSegments = 1)
    {
        var staging = new SpoolStaging();
        staging.Attach(() => _wakes++, wakeAfterSegments, []);
        return staging;
    }

    private static void SpoolAllWaiting(SpoolStaging staging)
    {
        var batch = new List<Batch>();
        staging.TakeToSpool(batch, int.MaxValue);
        staging.MarkSpooled(batch, [.. batch.Select(s => Location(s.Sequence))]);
    }
}
