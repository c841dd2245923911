using AioGraphite.FaultDriver;
using AioGraphite.TestUtilities;
using AioGraphite.TestUtilities.Tls;
using Xunit;

namespace AioGraphite.IntegrationTests.Faults;

/// <summary>
/// Issue 15, row 3: stunnel (a TLS terminator) in front of carbon-cache; carbon is SIGKILLed behind it mid-stream and
/// started again 1 s later while the client (default options but TLS) streams the usual 60,000 points. stunnel accepts
/// every TLS connection and only then finds carbon down and closes it: a client that counts each accepted connection as
/// healthy (resetting its back-off) and replays its whole replay set on each one storms. Expected: every point stored,
/// at most <see cref="MaxReconnects"/> reconnects, and at most <see cref="MaxReplayFactor"/> × the points sent replayed.
/// </summary>
[Trait("Category", FaultScenario.Category)]
public sealed class TerminatorStormTests
{
    public const int MaxReconnects = 20;
    public const int MaxReplayFactor = 3;

    [Fact]
    public async Task CarbonKilledBehindStunnel_RestartedOneSecondLater_EveryPointStored_NoReconnectOrReplayStorm()
    {
        using TestCertificates certs = TestCertificates.Create();
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await using StunnelServer stunnel = await StunnelServer.StartAsync([new StunnelService("line", carbon.LinePort, certs.Server)]);
        FaultStreamPlan plan = FaultScenario.Plan(carbon, "terminator-storm") with
        {
            Port = stunnel.Port("line"),
            Tls = new GraphiteTlsOptions { CaBundlePath = certs.Ca.CertificatePath },
        };
        FaultStreamResult result = await FaultScenario.StreamAsync(plan, FaultScenario.MidStream, async () =>
        {
            await carbon.KillAsync();
            await Task.Delay(TimeSpan.FromSeconds(1), FaultScenario.Ct);
            await carbon.StartAgainAsync();
        });

        GraphiteClientStatistics stats = result.Statistics;
        string storm = $"{stats.Reconnects:N0} reconnects (at most {MaxReconnects} allowed), {stats.PointsReplayed:N0} points replayed for {plan.Points:N0} sent (at most {MaxReplayFactor}× = {MaxReplayFactor * plan.Points:N0} allowed)";
        TestContext.Current.SendDiagnosticMessage($"carbon killed behind stunnel: {storm}");
        await FaultScenario.AssertNoLossAsync(carbon, plan, $"carbon SIGKILLed behind stunnel, restarted 1 s later ({storm})", result);
        Assert.True(stats.Reconnects <= MaxReconnects, $"reconnect storm through the TLS terminator: {storm}\nclient: {result}");
        Assert.True(stats.PointsReplayed <= MaxReplayFactor * (long)plan.Points, $"replay storm through the TLS terminator: {storm}\nclient: {result}");
    }
}
