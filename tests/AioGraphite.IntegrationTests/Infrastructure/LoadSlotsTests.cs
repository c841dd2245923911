using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Infrastructure;

/// <summary>The machine-wide limit on CPU-heavy test phases.</summary>
public sealed class LoadSlotsTests
{
    [Fact]
    public async Task OneSlotPerCore_AFurtherAcquireWaitsUntilOneIsGivenBack()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        Assert.Equal(Math.Max(1, Environment.ProcessorCount), LoadSlots.Slots);
        var held = new List<IDisposable>();
        try
        {
            for (int i = 0; i < LoadSlots.Slots; i++)
            {
                held.Add(await LoadSlots.AcquireAsync(ct));
            }

            Task<IDisposable> next = LoadSlots.AcquireAsync(ct);
            await Task.Delay(500, ct);
            Assert.False(next.IsCompleted, "a slot was handed out while all were held");

            held[0].Dispose();
            held[0].Dispose(); // giving it back twice frees it once
            held[0] = await next.WaitAsync(TimeSpan.FromSeconds(10), ct);
        }
        finally
        {
            held.ForEach(h => h.Dispose());
        }
    }
}
