using AioGraphite.FaultDriver;
using AioGraphite.IntegrationTests.Faults;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Spool;

/// <summary>
/// Issue 10, outages longer than memory: carbon is down for the whole stream of 60,000 points (~2.4 MB of lines) while
/// the client's memory buffer holds 256 KiB; with a spool nothing is dropped (without one, <c>DropOldest</c> would drop
/// ~90% of it), and once carbon starts every point is stored.
/// </summary>
[Trait("Category", FaultScenario.Category)]
public sealed class SpoolOutageTests
{
    [Fact]
    public async Task CarbonDownLongerThanTheMemoryBufferHolds_WithASpool_NothingDropped_EverythingStored()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await carbon.KillAsync();
        string spool = SpoolScenario.NewDirectory("outage");
        try
        {
            FaultStreamPlan plan = FaultScenario.Plan(carbon, "spool-outage") with
            {
                LazyConnect = true,
                SpoolDirectory = spool,
                BufferCapacityBytes = 256 << 10,
            };
            Task starting = Task.CompletedTask;
            FaultStreamResult result;
            using (IDisposable slot = await LoadSlots.AcquireAsync(FaultScenario.Ct))
            {
                result = await FaultStream.RunAsync(
                    plan,
                    streamed: () =>
                    {
                        slot.Dispose();
                        starting = Task.Run(carbon.StartAgainAsync, FaultScenario.Ct); // carbon comes back only after the whole stream
                    },
                    cancellationToken: FaultScenario.Ct);
            }

            await starting;
            GraphiteClientStatistics stats = result.Statistics;
            Assert.True(stats.PointsDroppedBufferFull == 0 && stats.PointsUndelivered == 0, $"points dropped: {result}");
            Assert.True(stats.Spool.PointsSpooled == plan.Points, $"not every point went through the spool: {result}");
            Assert.True(stats.BytesWritten > plan.BufferCapacityBytes * 4, $"the stream should be far larger than the memory buffer: {result}");
            await FaultScenario.AssertNoLossAsync(carbon, plan, "carbon down longer than the memory buffer holds, with a spool", result);
            Assert.Empty(SpoolRecords.Read(spool).Files);
        }
        finally
        {
            SpoolScenario.DeleteDirectory(spool);
        }
    }
}
