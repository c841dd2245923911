using AioGraphite.FaultDriver;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Faults;

/// <summary>carbon-cache stopped with SIGTERM mid-stream (it does not flush its write cache) and started again at once.</summary>
[Trait("Category", FaultScenario.Category)]
public sealed class SigtermRestartTests
{
    [Fact]
    public async Task SigtermRestart_Plaintext_EveryPointStored()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        FaultStreamPlan plan = FaultScenario.Plan(carbon, "term");
        FaultStreamResult result = await FaultScenario.StreamAsync(plan, FaultScenario.MidStream, carbon.RestartAsync);
        await FaultScenario.AssertNoLossAsync(carbon, plan, "SIGTERM, restart", result);
    }
}

/// <summary>The client is created first (<c>GraphiteClient.Create</c>: connects in the background); carbon-cache starts 3 s later.</summary>
[Trait("Category", FaultScenario.Category)]
public sealed class CarbonStartsLateTests
{
    [Fact]
    public async Task CarbonStartsThreeSecondsAfterTheClient_Plaintext_EveryPointStored()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await carbon.KillAsync(); // keeps its ports and directory; nothing listens until StartAgainAsync
        FaultStreamPlan plan = FaultScenario.Plan(carbon, "late") with { LazyConnect = true };
        FaultStreamResult result = await FaultScenario.StreamAsync(plan, 0, async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3), FaultScenario.Ct);
            await carbon.StartAgainAsync();
        });
        await FaultScenario.AssertNoLossAsync(carbon, plan, "carbon starts 3 s after the client", result);
    }
}
