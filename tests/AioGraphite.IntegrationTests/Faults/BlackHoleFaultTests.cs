using AioGraphite.FaultDriver;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Faults;

/// <summary>
/// A network black hole for 20 s while carbon's host reboots behind it: carbon and the client (AioGraphite.FaultDriver,
/// a process of its own) run in a network namespace the test creates; mid-stream every packet in it is dropped
/// (nftables), carbon is SIGKILLed and started again behind the hole, and 20 s later the hole is healed.
/// </summary>
[Trait("Category", FaultScenario.Category)]
public sealed class BlackHoleTests
{
    public static readonly TimeSpan HoleDuration = TimeSpan.FromSeconds(20);

    [Fact]
    public Task BlackHoleTwentySeconds_CarbonRestartedBehindIt_Plaintext_EveryPointStored() => RunAsync("plaintext");

    internal static async Task RunAsync(string protocol)
    {
        await using NetworkNamespace ns = await NetworkNamespace.CreateAsync();
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync(new CarbonCacheOptions { NetworkNamespace = ns });
        FaultStreamPlan plan = FaultScenario.Plan(carbon, "blackhole", protocol);
        using IDisposable slot = await LoadSlots.AcquireAsync(FaultScenario.Ct); // given back once the driver has sent everything
        await using RunningProcess driver = ns.Start(DotnetHost.Path, FaultScenario.DriverArguments(plan, FaultScenario.MidStream));
        _ = driver.WaitForErrorLineAsync(line => line.StartsWith("fault-driver: streamed", StringComparison.Ordinal), TimeSpan.FromMinutes(5))
            .ContinueWith(_ => slot.Dispose(), TaskScheduler.Default);

        await driver.WaitForErrorLineAsync(line => line == $"fault-driver: step {FaultScenario.MidStream}", TimeSpan.FromSeconds(60));
        long holeStart = Environment.TickCount64;
        await ns.BlackHoleAsync();
        await Task.Delay(TimeSpan.FromSeconds(1), FaultScenario.Ct);
        await carbon.KillAsync();
        await carbon.StartAgainAsync();
        TimeSpan left = HoleDuration - TimeSpan.FromMilliseconds(Environment.TickCount64 - holeStart);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, FaultScenario.Ct);
        }

        await ns.HealAsync();
        ProcessRunner.Result exit = await driver.WaitForExitAsync(plan.DeliveryTimeout + TimeSpan.FromSeconds(60));
        (string summary, string? deliveryError) = FaultScenario.ParseDriverOutput(exit);
        await FaultScenario.AssertNoLossAsync(carbon, plan, $"black hole for 20 s, carbon SIGKILLed and restarted behind it ({protocol})", summary, deliveryError);
    }
}

/// <summary><see cref="BlackHoleTests"/> over pickle.</summary>
[Trait("Category", FaultScenario.Category)]
public sealed class BlackHoleOverPickleTests
{
    [Fact]
    public Task BlackHoleTwentySeconds_CarbonRestartedBehindIt_Pickle_EveryPointStored() => BlackHoleTests.RunAsync("pickle");
}
