using AioGraphite.Pipeline;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static AioGraphite.Tests.Pipeline.PipelineTestSegments;

namespace AioGraphite.Tests.Pipeline;

/// <summary>The batch queue alone (no spool attached): sealing, sequences, capacity, the drop policy, taking and settling.</summary>
public sealed class BatchQueueTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly SegmentPool _pool = new(new Lock(), TenPointSegmentBytes, limit: 16, idleSegments: 8);
    private long _dropped;
    private DeferredWork _deferred;

    private BatchQueue NewQueue(int maxSegments = 16) => new(new PlaintextFormat(), _pool, new SpoolStaging(), maxSegments, _time);

    [Fact]
    public void Append_SealsFullSegmentsWithConsecutiveSequences()
    {
        BatchQueue queue = NewQueue();

        List<AppendResult> results = Append(queue, 25, dropOldest: false, ref _dropped, ref _deferred);

        Assert.Equal(AppendResult.OpenedSegment, results[0]);
        Assert.Equal(AppendResult.Sealed, results[10]);
        Assert.Equal(AppendResult.Sealed, results[20]);
        Assert.Equal(22, results.Count(r => r == AppendResult.Appended));
        Assert.Equal(2, queue.LastSequence);
        Assert.Equal(25, queue.BufferedPoints);
        Assert.Equal(2 * TenPointSegmentBytes, queue.BufferedBytes); // sealed bytes only
        Assert.False(_deferred.WakeSpoolWriter); // no spool
    }

    [Fact]
    public void Take_GivesSealedSegmentsInOrderUpToTheBytes_AndSettledThroughTheLastTaken()
    {
        BatchQueue queue = NewQueue();
        Append(queue, 35, dropOldest: false, ref _dropped, ref _deferred);
        var into = new List<Batch>();

        long? openSince = queue.Take(into, maxBytes: 2 * TenPointSegmentBytes, sealOpen: false, sealIfOpenedBy: long.MinValue, out long settledThrough, null, ref _deferred);

        Assert.Equal([1L, 2L], into.Select(s => s.Sequence));
        Assert.Equal(2, settledThrough); // 3 is still queued
        Assert.Equal(_time.GetTimestamp(), openSince); // 5 points wait in the open segment
        Assert.True(queue.HasNewWork(openSince));
    }

    [Fact]
    public void Take_SealsTheOpenSegmentWhenNothingIsQueued_OnlyWhenAskedOrOldEnough()
    {
        BatchQueue queue = NewQueue();
        Append(queue, 3, dropOldest: false, ref _dropped, ref _deferred);
        long opened = _time.GetTimestamp();
        var into = new List<Batch>();

        Assert.Equal(opened, queue.Take(into, int.MaxValue, sealOpen: false, sealIfOpenedBy: opened - 1, out long settled, null, ref _deferred));
        Assert.Empty(into);
        Assert.Equal(0, settled);

        Assert.Null(queue.Take(into, int.MaxValue, sealOpen: false, sealIfOpenedBy: opened, out settled, null, ref _deferred));
        Assert.Equal(1, Assert.Single(into).Sequence);
        Assert.Equal(1, settled);
        Assert.False(queue.HasNewWork(null));
    }

    [Fact]
    public void Append_FullBuffer_NoRoomUntilTakenSegmentsAreSettled()
    {
        BatchQueue queue = NewQueue(maxSegments: 3);

        List<AppendResult> results = Append(queue, 32, dropOldest: false, ref _dropped, ref _deferred);

        Assert.Equal(AppendResult.Sealed | AppendResult.NoRoom, results[30]); // three segments sealed, a fourth does not fit
        Assert.Equal(AppendResult.NoRoom, results[31]);
        var into = new List<Batch>();
        queue.Take(into, TenPointSegmentBytes, sealOpen: false, long.MinValue, out _, null, ref _deferred);
        Batch taken = Assert.Single(into);
        Assert.Equal(AppendResult.NoRoom, queue.AppendPoint(false, ref _dropped, ref _deferred)); // taken, not written: still counts

        queue.Settle(taken.Points, taken.Length, 1, [taken]);

        Assert.Equal(20, queue.BufferedPoints);
        Assert.Equal(2 * TenPointSegmentBytes, queue.BufferedBytes);
        Assert.Equal(AppendResult.OpenedSegment, queue.AppendPoint(false, ref _dropped, ref _deferred));
        Assert.Equal(0, _dropped);
    }

    [Fact]
    public void Append_FullBufferWithDropOldest_DropsTheOldestQueuedSegmentWhole()
    {
        BatchQueue queue = NewQueue(maxSegments: 3);
        Append(queue, 30, dropOldest: true, ref _dropped, ref _deferred);

        Assert.Equal(AppendResult.Sealed, queue.AppendPoint(dropOldest: true, ref _dropped, ref _deferred));

        Assert.Equal(10, _dropped);
        Assert.Equal(21, queue.BufferedPoints);
        var into = new List<Batch>();
        queue.Take(into, int.MaxValue, sealOpen: false, long.MinValue, out long settledThrough, null, ref _deferred);
        Assert.Equal([2L, 3L], into.Select(s => s.Sequence));
        Assert.Equal(3, settledThrough); // 1 was dropped: nothing below 4 is held any more
    }

    [Fact]
    public void Settle_FreesTheRoomOfWrittenSegments_AndReturnsSpareOnesToThePool()
    {
        BatchQueue queue = NewQueue();
        Append(queue, 20, dropOldest: false, ref _dropped, ref _deferred);
        queue.SealOpen(ref _deferred);
        var into = new List<Batch>();
        queue.Take(into, int.MaxValue, sealOpen: false, long.MinValue, out _, null, ref _deferred);
        Assert.Equal(2, into.Count);
        int pooled = _pool.Count;

        queue.Settle(20, 2 * TenPointSegmentBytes, 2, into);

        Assert.Equal(pooled + 2, _pool.Count);
        Assert.Equal(0, queue.BufferedPoints);
        Assert.Equal(0, queue.BufferedBytes);
    }

    [Fact]
    public void AddRecovered_CountsTheRecordsAndContinuesTheirSequences_RecordLostGivesThemUp()
    {
        BatchQueue queue = NewQueue();
        var recovery = new SpoolRecovery { HighestSequence = 9 };
        recovery.Records.Add(Location(9, points: 7, bytes: 42));

        queue.AddRecovered(recovery);
        Assert.Equal((7L, 42L, 9L), (queue.BufferedPoints, queue.BufferedBytes, queue.LastSequence));
        Append(queue, 10, dropOldest: false, ref _dropped, ref _deferred);
        queue.SealOpen(ref _deferred);
        Assert.Equal(10, queue.LastSequence);

        queue.RecordLost(7, 42);

        Assert.Equal((10L, (long)TenPointSegmentBytes), (queue.BufferedPoints, queue.BufferedBytes));
    }

    [Fact]
    public void Discard_CountsQueuedAndOpenPointsAsLeftovers_AndEmptiesTheQueue()
    {
        BatchQueue queue = NewQueue();
        Append(queue, 15, dropOldest: false, ref _dropped, ref _deferred);
        var leftovers = new Leftovers();

        queue.Discard(ref leftovers);

        Assert.Equal(15, leftovers.UndeliveredPoints);
        Assert.Equal(0, queue.BufferedPoints);
        Assert.Null(queue.OpenSince);
        Assert.False(queue.HasNewWork(null));
    }

    [Fact]
    public void Append_PoolRunningLow_DefersTheTopUpToTheCaller()
    {
        BatchQueue queue = NewQueue();

        queue.AppendPoint(false, ref _dropped, ref _deferred);

        Assert.True(_deferred.TopUpPool);
        Assert.Equal(0, _pool.Count); // not topped up here
    }
}
