using System.Diagnostics;
using AioGraphite.FaultDriver;
using AioGraphite.IntegrationTests.Faults;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Spool;

/// <summary>
/// Issue 10, one process per spool: while the fault driver (another process) holds a spool, a client in this process
/// opened on the same spool waits for it up to its SpoolLockTimeout (issue 16), then fails with a
/// <see cref="GraphiteException"/> naming the directory, the holder (the driver's pid) and the wait; once the driver is gone (SIGKILL: the kernel drops its lock) the spool opens and delivers what it left.
/// </summary>
[Trait("Category", FaultScenario.Category)]
public sealed class SpoolTwoProcessesTests
{
    [Fact]
    public async Task SecondProcessOnASpool_FailsAfterItsLockTimeout_NamingTheDirectoryAndTheHolder()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await carbon.KillAsync();
        string spool = SpoolScenario.NewDirectory("two");
        try
        {
            FaultStreamPlan plan = SpoolScenario.Plan(carbon, "spool.two", spool, metrics: 10, steps: 100, pointsPerSecond: 10_000);
            var options = new GraphiteClientOptions { SpoolDirectory = spool, SpoolLockTimeout = TimeSpan.FromSeconds(1) };
            await using (RunningProcess holder = SpoolScenario.StartDriver(plan))
            {
                await SpoolScenario.WaitForOpenedAsync(holder);
                var clock = Stopwatch.StartNew();
                GraphiteException ex = Assert.Throws<GraphiteException>(() => GraphiteClient.Create("127.0.0.1", carbon.LinePort, options: options));
                Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
                Assert.Contains(spool, ex.Message, StringComparison.Ordinal);
                Assert.Contains($"process {holder.Id} ", ex.Message, StringComparison.Ordinal);
                Assert.Contains("not released within 1.0 s of waiting", ex.Message, StringComparison.Ordinal);
                await SpoolScenario.WaitForDurableAsync(holder, plan.Points, TimeSpan.FromSeconds(30));
                await holder.KillAsync();
            }

            // The lock died with its holder: the spool opens, and what the driver left is delivered.
            await carbon.StartAgainAsync();
            GraphiteClient client = GraphiteClient.Create("127.0.0.1", carbon.LinePort, options: options);
            await using (client)
            {
                Assert.Equal(plan.Points, client.Statistics.Spool.PointsRecovered);
                await Delivery.WaitForDeliveryAsync(client, FaultScenario.Ct);
            }

            await FaultScenario.AssertNoLossAsync(carbon, plan, "the spool of a killed holder, opened by the next process", client.Statistics.ToString(), deliveryError: null);
        }
        finally
        {
            SpoolScenario.DeleteDirectory(spool);
        }
    }
}
