using AioGraphite.Cli.Output;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Cli.Tests.Output;

public sealed class DeliveryWatchdogTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Observe_PointsWaitingAndNoneWritten_StallsAfterTheTimeout()
    {
        var watchdog = new DeliveryWatchdog(TimeSpan.FromSeconds(5), _time);
        Assert.False(watchdog.Observe(0, 100));
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(watchdog.Observe(0, 100));
        Assert.Equal(TimeSpan.FromSeconds(4.9), watchdog.StalledFor);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(watchdog.Observe(0, 100));
    }

    [Fact]
    public void Observe_WritesMakingProgress_NeverStall()
    {
        var watchdog = new DeliveryWatchdog(TimeSpan.FromSeconds(5), _time);
        for (int i = 1; i <= 20; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.False(watchdog.Observe(i, 1_000_000));
        }
    }

    [Fact]
    public void Observe_NothingWaiting_IsAQuietInputNotAnOutage()
    {
        var watchdog = new DeliveryWatchdog(TimeSpan.FromSeconds(5), _time);
        for (int i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.False(watchdog.Observe(7, 0));
        }

        // The outage clock starts when points start waiting.
        Assert.False(watchdog.Observe(7, 3));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(watchdog.Observe(7, 3));
    }
}
