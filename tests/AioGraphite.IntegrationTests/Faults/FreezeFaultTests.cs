using AioGraphite.FaultDriver;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Faults;

/// <summary>
/// carbon-cache frozen with SIGSTOP for 10 s mid-stream: it reads nothing, the kernels' socket buffers fill and every
/// write still succeeds; then SIGKILL (what sat unread in the buffers is gone) and a restart.
/// </summary>
[Trait("Category", FaultScenario.Category)]
public sealed class FreezeThenSigkillTests
{
    [Fact]
    public Task SigstopTenSecondsThenSigkill_Plaintext_EveryPointStored() => RunAsync("plaintext");

    internal static async Task RunAsync(string protocol)
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        FaultStreamPlan plan = FaultScenario.Plan(carbon, "freeze-kill", protocol);
        FaultStreamResult result = await FaultScenario.StreamAsync(plan, FaultScenario.MidStream, async () =>
        {
            carbon.Freeze();
            await Task.Delay(TimeSpan.FromSeconds(10), FaultScenario.Ct);
            await carbon.KillAsync();
            await carbon.StartAgainAsync();
        });
        await FaultScenario.AssertNoLossAsync(carbon, plan, $"SIGSTOP for 10 s, then SIGKILL and restart ({protocol})", result);
    }
}

/// <summary><see cref="FreezeThenSigkillTests"/> over pickle.</summary>
[Trait("Category", FaultScenario.Category)]
public sealed class FreezeThenSigkillOverPickleTests
{
    [Fact]
    public Task SigstopTenSecondsThenSigkill_Pickle_EveryPointStored() => FreezeThenSigkillTests.RunAsync("pickle");
}
