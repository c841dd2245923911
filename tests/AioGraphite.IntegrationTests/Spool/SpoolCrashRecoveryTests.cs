using AioGraphite.FaultDriver;
using AioGraphite.IntegrationTests.Faults;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Spool;

/// <summary>
/// Issue 10, restart: carbon is down; a process spools 10,000 points and is killed with SIGKILL once it reports them all
/// durable; carbon comes up; a new process opened on the same spool delivers every one of them (whisper, exact values)
/// and leaves the spool empty.
/// </summary>
[Trait("Category", FaultScenario.Category)]
public sealed class SpoolCrashRecoveryTests
{
    [Fact]
    public async Task CarbonDown_ProcessSpoolsAndIsKilled_NextProcessOnTheSpoolDeliversEverything()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await carbon.KillAsync();
        string spool = SpoolScenario.NewDirectory("crash");
        try
        {
            FaultStreamPlan plan = SpoolScenario.Plan(carbon, "spool.crash", spool, metrics: 50, steps: 200, pointsPerSecond: 20_000);
            await using (RunningProcess first = SpoolScenario.StartDriver(plan))
            {
                SpoolOpened opened = await SpoolScenario.WaitForOpenedAsync(first);
                Assert.Equal(new SpoolOpened(0, 0, 0), opened);
                await SpoolScenario.WaitForDurableAsync(first, plan.Points, TimeSpan.FromSeconds(30));
                await first.KillAsync();
            }

            SpoolOnDisk left = SpoolRecords.Read(spool);
            Assert.Equal(plan.Points, left.Points);

            await carbon.StartAgainAsync();
            FaultStreamPlan drain = plan with { Steps = 0, LazyConnect = false };
            await using RunningProcess second = SpoolScenario.StartDriver(drain);
            ProcessRunner.Result exit = await second.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(exit.ExitCode == 0, $"the second process did not deliver: {second}");
            IReadOnlyDictionary<string, System.Text.Json.JsonElement> summary = SpoolScenario.Summary(exit);
            Assert.Equal(plan.Points, summary["spoolPointsRecovered"].GetInt64());
            Assert.Equal(plan.Points, summary["pointsDelivered"].GetInt64());

            await FaultScenario.AssertNoLossAsync(carbon, plan, "carbon down, spooling process SIGKILLed, next process on the spool", $"driver: {exit.StandardOutputText.Trim()}", deliveryError: null);
            Assert.Empty(SpoolRecords.Read(spool).Files); // everything delivered: the spool is cleaned up
        }
        finally
        {
            SpoolScenario.DeleteDirectory(spool);
        }
    }
}
