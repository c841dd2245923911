using AioGraphite.FaultDriver;
using AioGraphite.IntegrationTests.Spool;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Faults;

/// <summary>
/// Issue 15, row 2 (library): a client with a disk spool streams the usual 60,000 points into a loaded carbon-cache
/// (<c>MAX_UPDATES_PER_SECOND = 5</c>: with 100 series its write cache holds ~20 s of points); carbon is SIGKILLed
/// mid-stream and stays down, the application waits 3 s for delivery, gives up and closes with a 1 s drain timeout. Then
/// carbon starts again and a new client opened on the same spool directory delivers what the first one left and closes.
/// Whisper must hold all 60,000: what carbon had read into its cache before the kill was never stored, so closing must not
/// retire it from the spool.
/// </summary>
[Trait("Category", FaultScenario.Category)]
public sealed class SpoolGiveUpTests
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    /// <summary>100 series at 5 updates per second: ~20 s per pass over them.</summary>
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task SpoolClientGivesUpWhileLoadedCarbonIsDown_NextClientOnTheSpool_EveryPointStored()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync(new CarbonCacheOptions { MaxUpdatesPerSecond = 5 });
        string spool = SpoolScenario.NewDirectory("giveup");
        try
        {
            FaultStreamPlan plan = FaultScenario.Plan(carbon, "spool-giveup") with
            {
                SpoolDirectory = spool,
                DeliveryTimeout = TimeSpan.FromSeconds(3),
                DrainTimeout = TimeSpan.FromSeconds(1),
            };
            FaultStreamResult gaveUp = await FaultScenario.StreamAsync(plan, FaultScenario.MidStream, carbon.KillAsync);
            Assert.True(gaveUp.DeliveryError is not null, $"carbon was down: the first client cannot have delivered everything\nclient: {gaveUp}");

            await carbon.StartAgainAsync();
            string? drainError = null;
            GraphiteClientStatistics drained;
            await using (GraphiteClient next = await GraphiteClient.ConnectAsync("127.0.0.1", carbon.LinePort, new PlaintextProtocol(), new GraphiteClientOptions { SpoolDirectory = spool }, FaultScenario.Ct))
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(FaultScenario.Ct);
                timeout.CancelAfter(DeliveryTimeout);
                try
                {
                    await Delivery.WaitForDeliveryAsync(next, timeout.Token);
                }
                catch (OperationCanceledException) when (!FaultScenario.Ct.IsCancellationRequested)
                {
                    drainError = $"the second client's wait for delivery did not finish within {DeliveryTimeout.TotalSeconds:0} s";
                }

                drained = next.Statistics;
            }

            await FaultScenario.AssertNoLossAsync(
                carbon,
                plan,
                "spool client gave up while a loaded carbon was down (SIGKILL mid-stream), next client on the spool after the restart",
                $"first client: {gaveUp}\nsecond client: {drained}",
                drainError,
                StoreTimeout);
        }
        finally
        {
            SpoolScenario.DeleteDirectory(spool);
        }
    }
}
