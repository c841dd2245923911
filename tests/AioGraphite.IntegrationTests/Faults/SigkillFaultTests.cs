using AioGraphite.FaultDriver;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Faults;

/// <summary>
/// carbon-cache killed with SIGKILL mid-stream (its write cache is lost) and started again only after a slow restart
/// (4 s after the kill, listening ~4.5 s after it, as a restart that takes a few seconds): everything it had not stored
/// must come again from the client, however its reconnect back-off falls.
/// </summary>
[Trait("Category", FaultScenario.Category)]
public sealed class SigkillSlowRestartTests
{
    [Fact]
    public Task SigkillThenSlowRestart_Plaintext_EveryPointStored() => RunAsync("plaintext");

    internal static async Task RunAsync(string protocol)
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        FaultStreamPlan plan = FaultScenario.Plan(carbon, "kill-slow", protocol);
        FaultStreamResult result = await FaultScenario.StreamAsync(plan, FaultScenario.MidStream, async () =>
        {
            await carbon.KillAsync();
            await Task.Delay(TimeSpan.FromSeconds(4), FaultScenario.Ct);
            await carbon.StartAgainAsync();
        });
        await FaultScenario.AssertNoLossAsync(carbon, plan, $"SIGKILL, restart 4 s later ({protocol})", result);
    }
}

/// <summary><see cref="SigkillSlowRestartTests"/> over pickle (a class of its own so that the two run in parallel).</summary>
[Trait("Category", FaultScenario.Category)]
public sealed class SigkillSlowRestartOverPickleTests
{
    [Fact]
    public Task SigkillThenSlowRestart_Pickle_EveryPointStored() => SigkillSlowRestartTests.RunAsync("pickle");
}

/// <summary>carbon-cache killed with SIGKILL mid-stream and down for 10 s: longer than the client's reconnect back-off and replay window today.</summary>
[Trait("Category", FaultScenario.Category)]
public sealed class SigkillDownTenSecondsTests
{
    [Fact]
    public async Task SigkillDownTenSeconds_Plaintext_EveryPointStored()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        FaultStreamPlan plan = FaultScenario.Plan(carbon, "kill-down10");
        FaultStreamResult result = await FaultScenario.StreamAsync(plan, FaultScenario.MidStream, async () =>
        {
            await carbon.KillAsync();
            await Task.Delay(TimeSpan.FromSeconds(10), FaultScenario.Ct);
            await carbon.StartAgainAsync();
        });
        await FaultScenario.AssertNoLossAsync(carbon, plan, "SIGKILL, down for 10 s", result);
    }
}

/// <summary>
/// A loaded carbon-cache: <c>MAX_UPDATES_PER_SECOND = 5</c> with 50 series, so its write cache holds ~10 s of points
/// (series ÷ updates per second). To let it fill, the 60,000 points (50 series × 1,200 steps) come at 5,000 points/s
/// over 12 s; SIGKILL late in the stream (step 1,100, ~11 s in) loses the whole cache; restart at once.
/// </summary>
[Trait("Category", FaultScenario.Category)]
public sealed class LoadedCarbonSigkillTests
{
    [Fact]
    public async Task LoadedCarbon_SigkillLateInStream_Plaintext_EveryPointStored()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync(new CarbonCacheOptions { MaxUpdatesPerSecond = 5 });
        FaultStreamPlan plan = FaultScenario.Plan(carbon, "loaded-kill", metrics: 50, steps: 1200, pointsPerSecond: 5_000);
        FaultStreamResult result = await FaultScenario.StreamAsync(plan, 1100, async () =>
        {
            await carbon.KillAsync();
            await carbon.StartAgainAsync();
        });

        // After the restart carbon writes 5 series per second: a full pass over the 50 series takes ~10 s.
        await FaultScenario.AssertNoLossAsync(carbon, plan, "loaded carbon (MAX_UPDATES_PER_SECOND = 5, 50 series), SIGKILL late in the stream, restart", result, TimeSpan.FromSeconds(90));
    }
}
