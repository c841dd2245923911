using AioGraphite.Pipeline;
using AioGraphite.Protocols;
using Xunit;

namespace AioGraphite.Tests.Pipeline;

/// <summary>The segment pool alone: rent, return, limit, trim, the top-up request and the top-up itself.</summary>
public sealed class SegmentPoolTests
{
    private const int SegmentBytes = 64;

    [Fact]
    public void Rent_EmptyPool_GivesANewSegmentAndAsksForOneTopUpOnly()
    {
        var pool = new SegmentPool(new Lock(), SegmentBytes, limit: 10, idleSegments: 8);

        Batch s = pool.Rent(out bool first);
        pool.Rent(out bool second);

        Assert.Equal(SegmentBytes, s.Buffer.Length);
        Assert.True(first);   // empty: below a quarter of the idle count
        Assert.False(second); // a top-up is already asked for and not finished
        Assert.Equal(0, pool.Count); // nothing is done until the caller runs it
    }

    [Fact]
    public void TopUp_FillsToTheSpareCountWithTouchedSegments_AndAllowsTheNextRequest()
    {
        var pool = new SegmentPool(new Lock(), SegmentBytes, limit: 10, idleSegments: 8);
        pool.Rent(out bool asked);
        Assert.True(asked);

        pool.TopUp();

        Assert.Equal(4, pool.Count); // half of the idle count
        for (int i = 0; i < 2; i++)
        {
            pool.Rent(out bool again);
            Assert.False(again); // 3, then 2 left: not below a quarter of the idle count
        }

        pool.Rent(out bool low);
        Assert.True(low); // 1 left; the earlier top-up finished, so a new one may be asked for
    }

    [Fact]
    public void TopUp_AfterStop_AddsNothing()
    {
        var pool = new SegmentPool(new Lock(), SegmentBytes, limit: 10, idleSegments: 8);
        pool.Stop();

        pool.TopUp();
        pool.Rent(out bool asked);

        Assert.Equal(0, pool.Count);
        Assert.False(asked);
    }

    [Fact]
    public void Return_ResetsAndKeepsSegmentsUpToTheLimit_OfThePoolsSizeOnly()
    {
        var pool = new SegmentPool(new Lock(), SegmentBytes, limit: 2, idleSegments: 8);
        var used = new Batch(SegmentBytes) { Length = 10, Points = 3, Sequence = 7 };

        pool.Return(used);
        pool.Return(new Batch(SegmentBytes));
        pool.Return(new Batch(SegmentBytes)); // over the limit: let go
        pool.Return(new Batch(SegmentBytes * 2)); // a record's larger segment: never pooled

        Assert.Equal(2, pool.Count);
        Assert.Equal((0, 0), (used.Length, used.Points));
    }

    [Fact]
    public void Trim_KeepsTheIdleCount()
    {
        var pool = new SegmentPool(new Lock(), SegmentBytes, limit: 100, idleSegments: 8);
        for (int i = 0; i < 20; i++)
        {
            pool.Return(new Batch(SegmentBytes));
        }

        pool.Trim();

        Assert.Equal(8, pool.Count);
    }

    [Fact]
    public void RentForRecord_LargerThanASegment_GivesALargerNewSegment_SmallerTakesAPooledOne()
    {
        var pool = new SegmentPool(new Lock(), SegmentBytes, limit: 10, idleSegments: 8);
        var pooled = new Batch(SegmentBytes);
        pool.Return(pooled);

        Batch large = pool.RentForRecord(SegmentBytes + 1);
        Batch small = pool.RentForRecord(SegmentBytes);

        Assert.Equal(SegmentBytes + 1, large.Buffer.Length);
        Assert.Same(pooled, small);
        Assert.Equal(0, pool.Count);
    }
}
