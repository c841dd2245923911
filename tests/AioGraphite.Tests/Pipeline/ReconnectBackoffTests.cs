using AioGraphite.Pipeline;
using Xunit;

namespace AioGraphite.Tests.Pipeline;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void NextDelay_DoublesUpToTheCapWithJitterBetweenHalfAndAll()
    {
        var upper = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), () => 1.0);
        var lower = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), () => 0.0);
        double[] expected = [100, 200, 400, 800, 1000, 1000];
        foreach (double cap in expected)
        {
            Assert.Equal(cap, upper.NextDelay().TotalMilliseconds, 6);
            Assert.Equal(cap / 2, lower.NextDelay().TotalMilliseconds, 6);
        }

        Assert.Equal(6, upper.Attempts);
    }

    [Fact]
    public void Reset_StartsOverFromTheInitialDelay()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), () => 1.0);
        backoff.NextDelay();
        backoff.NextDelay();
        backoff.Reset();
        Assert.Equal(0, backoff.Attempts);
        Assert.Equal(100, backoff.NextDelay().TotalMilliseconds, 6);
    }

    [Fact]
    public void NextDelay_ManyFailures_NeverOverflows()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), () => 0.5);
        for (int i = 0; i < 1000; i++)
        {
            Assert.InRange(backoff.NextDelay().TotalSeconds, 0.05, 30);
        }
    }
}
