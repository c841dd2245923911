using AioGraphite.Pipeline;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Tests.Pipeline;

public sealed class ReplayWindowTests
{
    private static Segment Written(int bytes, int points)
    {
        var s = new Segment(1024) { Length = bytes, Points = points };
        return s;
    }

    [Fact]
    public void TakeAll_ReturnsWhatWasWrittenWithinTheWindowOldestFirst()
    {
        var time = new FakeTimeProvider();
        var released = new List<Segment>();
        var window = new ReplayWindow(TimeSpan.FromSeconds(5), 1 << 20, time, released.Add);
        Segment old = Written(100, 1);
        window.Add(old);
        time.Advance(TimeSpan.FromSeconds(4));
        Segment recent = Written(200, 2);
        window.Add(recent);
        time.Advance(TimeSpan.FromSeconds(2)); // old is now 6 s old, recent 2 s

        var replay = new List<Segment>();
        Assert.Equal(2, window.TakeAll(replay));
        Assert.Equal([recent], replay);
        Assert.True(recent.IsReplay);
        Assert.Equal([old], released);
        Assert.Equal(0, window.Bytes);
    }

    [Fact]
    public void Add_BeyondTheByteBound_ReleasesTheOldest()
    {
        var time = new FakeTimeProvider();
        var released = new List<Segment>();
        var window = new ReplayWindow(TimeSpan.FromMinutes(1), 500, time, released.Add);
        Segment[] segments = [Written(200, 1), Written(200, 1), Written(200, 1)];
        foreach (Segment s in segments)
        {
            window.Add(s);
        }

        Assert.Equal([segments[0]], released);
        Assert.Equal(400, window.Bytes);
        Assert.Equal(2, window.Count);
    }
}
