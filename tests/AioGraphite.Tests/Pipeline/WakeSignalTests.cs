using AioGraphite.Pipeline;
using AioGraphite.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Tests.Pipeline;

/// <summary>
/// <see cref="WakeSignal"/>: what wakes a wait, and that a wait leaves nothing behind whatever ended it (issue 15: a client
/// with a spool grew ~2.2 KB/s, one channel waiter per wait the spool writer's timer ended). On a fake clock, no sleeps.
/// </summary>
[Collection(RetainedMemoryCollection.Name)]
public sealed class WakeSignalTests
{
    private const int ManyWaits = 100_000;
    private const int WarmUpWaits = 1_000;
    private static readonly TimeSpan Due = TimeSpan.FromMilliseconds(1);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    [Fact]
    public async Task WaitAsync_ManyWaitsEndedByTheirDeadline_RetainNoMemory()
    {
        var signal = new WakeSignal();
        await WaitsEndedByDeadlineAsync(signal, other: null, WarmUpWaits);
        long before = RetainedMemory.Measure();
        await WaitsEndedByDeadlineAsync(signal, other: null, ManyWaits);
        long grown = RetainedMemory.Measure() - before;
        GC.KeepAlive(signal);
        Assert.True(grown < RetainedMemory.MaxGrowthBytes, $"{ManyWaits:N0} waits ended by their deadline left {grown:N0} bytes on the heap");
    }

    [Fact]
    public async Task WaitAsync_ManyWaitsWithAnOtherTaskThatNeverCompletes_RetainNoMemory()
    {
        var signal = new WakeSignal();
        var never = new TaskCompletionSource(); // like a connection that stays open for days
        await WaitsEndedByDeadlineAsync(signal, never.Task, WarmUpWaits);
        long before = RetainedMemory.Measure();
        await WaitsEndedByDeadlineAsync(signal, never.Task, ManyWaits);
        long grown = RetainedMemory.Measure() - before;
        GC.KeepAlive(signal);
        GC.KeepAlive(never);
        Assert.True(grown < RetainedMemory.MaxGrowthBytes, $"{ManyWaits:N0} waits (with another task) ended by their deadline left {grown:N0} bytes on the heap");
    }

    [Fact]
    public async Task WaitAsync_ManyWaitsEndedBySet_RetainNoMemory()
    {
        var signal = new WakeSignal();
        var never = new TaskCompletionSource();
        await WaitsEndedBySetAsync(signal, never.Task, WarmUpWaits);
        long before = RetainedMemory.Measure();
        await WaitsEndedBySetAsync(signal, never.Task, ManyWaits);
        long grown = RetainedMemory.Measure() - before;
        GC.KeepAlive(signal);
        GC.KeepAlive(never);
        Assert.True(grown < RetainedMemory.MaxGrowthBytes, $"{ManyWaits:N0} waits ended by Set left {grown:N0} bytes on the heap");
    }

    [Fact]
    public async Task WaitAsync_SetBefore_ReturnsAtOnceWithoutTheDeadline_AndClears()
    {
        var signal = new WakeSignal();
        signal.Set();
        signal.Set(); // sets while set are one
        Assert.True(signal.IsSet);
        Task<bool> wait = signal.WaitAsync(TimeSpan.FromHours(1), _time);
        Assert.True(wait.IsCompleted);
        Assert.False(await wait);
        Assert.False(signal.IsSet);

        // The second set was not kept: the next wait runs to its deadline.
        Task<bool> next = signal.WaitAsync(Due, _time);
        Assert.False(next.IsCompleted);
        _time.Advance(Due);
        Assert.True(await next);
    }

    [Fact]
    public async Task WaitAsync_SetWhileWaiting_Wakes_AndReportsNoDeadline()
    {
        var signal = new WakeSignal();
        Task<bool> wait = signal.WaitAsync(TimeSpan.FromHours(1), _time);
        Assert.False(wait.IsCompleted);
        await Task.Run(signal.Set, TestContext.Current.CancellationToken);
        Assert.False(await wait);
        Assert.False(signal.IsSet);
    }

    [Fact]
    public async Task WaitAsync_NoDeadline_WaitsForTheOtherTask()
    {
        var signal = new WakeSignal();
        var other = new TaskCompletionSource();
        Task<bool> wait = signal.WaitAsync(null, _time, other.Task);
        _time.Advance(TimeSpan.FromDays(1));
        Assert.False(wait.IsCompleted);
        other.SetResult();
        Assert.False(await wait);
    }

    [Fact]
    public async Task WaitAsync_ZeroDue_DoesNotWait_AndClears()
    {
        var signal = new WakeSignal();
        Assert.False(await signal.WaitAsync(TimeSpan.Zero, _time));
        signal.Set();
        Assert.False(await signal.WaitAsync(TimeSpan.FromTicks(-1), _time));
        Assert.False(signal.IsSet);
    }

    [Fact]
    public void Clear_UndoesASet()
    {
        var signal = new WakeSignal();
        signal.Set();
        signal.Clear();
        Assert.False(signal.IsSet);
    }

    private async Task WaitsEndedByDeadlineAsync(WakeSignal signal, Task? other, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Task<bool> wait = signal.WaitAsync(Due, _time, other);
            _time.Advance(Due);
            Assert.True(await wait);
        }
    }

    private async Task WaitsEndedBySetAsync(WakeSignal signal, Task? other, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Task<bool> wait = signal.WaitAsync(TimeSpan.FromHours(1), _time, other);
            signal.Set();
            Assert.False(await wait);
        }
    }
}
