using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Infrastructure;

/// <summary>The limit on CPU-heavy test phases. Tested on a pool of its own: the machine's pool is shared with the
/// fault tests of other test processes, which may take a slot given back here before this test's waiter does.</summary>
public sealed class LoadSlotsTests
{
    [Fact]
    public void TheMachinePool_HasOneSlotPerCore() =>
        Assert.Equal(Math.Max(1, Environment.ProcessorCount), LoadSlots.Machine.Slots);

    [Fact]
    public async Task AFurtherAcquireWaitsUntilASlotIsGivenBack()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string lockFile = Path.Combine(Path.GetTempPath(), $"aiographite-loadslots-test-{Guid.NewGuid():N}.lock");
        try
        {
            using var pool = new LoadSlotPool(2, lockFile);
            IDisposable first = await pool.AcquireAsync(ct);
            IDisposable second = await pool.AcquireAsync(ct);

            Task<IDisposable> next = pool.AcquireAsync(ct);
            await Task.Delay(300, ct);
            Assert.False(next.IsCompleted, "a slot was handed out while all were held");

            first.Dispose();
            first.Dispose(); // giving it back twice frees it once
            IDisposable third = await next.WaitAsync(TimeSpan.FromSeconds(10), ct);

            Task<IDisposable> fourth = pool.AcquireAsync(ct);
            await Task.Delay(300, ct);
            Assert.False(fourth.IsCompleted, "a slot given back twice was handed out twice");

            second.Dispose();
            (await fourth.WaitAsync(TimeSpan.FromSeconds(10), ct)).Dispose();
            third.Dispose();
        }
        finally
        {
            File.Delete(lockFile);
        }
    }
}
