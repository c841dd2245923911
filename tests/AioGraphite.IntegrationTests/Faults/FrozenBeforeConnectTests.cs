using System.Globalization;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Faults;

/// <summary>
/// Issue 15, row 4 (a guard): carbon-cache (loaded, <c>MAX_UPDATES_PER_SECOND = 5</c>) is frozen with SIGSTOP before the
/// client connects. The connection still succeeds (the kernel completes the handshake from the listen backlog) and the
/// client (default options) sends 2,000 points that nobody reads. For the 70 s carbon stays frozen the client must count
/// none of them delivered; then carbon is SIGKILLed (the unread bytes are gone) and started again, the client closes,
/// and whisper must hold all 2,000.
/// </summary>
[Trait("Category", FaultScenario.Category)]
public sealed class FrozenBeforeConnectTests
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task CarbonFrozenBeforeTheClientConnects_NothingCountedDeliveredWhileFrozen_EveryPointStoredAfterKillAndRestart()
    {
        const string prefix = "fault.frozen-before-connect";
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync(new CarbonCacheOptions { MaxUpdatesPerSecond = 5 });
        long first = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1800;
        IReadOnlyList<ExpectedSeries> expected = IdleSenderFrozenCarbonTests.Burst(prefix, first, 0);
        carbon.Freeze();

        await using GraphiteClient client = await GraphiteClient.ConnectAsync("127.0.0.1", carbon.LinePort, new PlaintextProtocol(), new GraphiteClientOptions(), FaultScenario.Ct);
        foreach (ExpectedSeries series in expected)
        {
            await client.SendMultipleAsync(series.Points.Select(p => new Datapoint(series.Metric, p.Value, p.Timestamp)), cancellationToken: FaultScenario.Ct);
        }

        // While frozen carbon reads nothing: the client must not count a single point delivered.
        long frozenUntil = Environment.TickCount64 + (long)IdleSenderFrozenCarbonTests.FreezeTime.TotalMilliseconds;
        GraphiteClientStatistics worst = client.Statistics;
        while (Environment.TickCount64 < frozenUntil)
        {
            GraphiteClientStatistics now = client.Statistics;
            if (now.PointsDelivered > worst.PointsDelivered)
            {
                worst = now;
            }

            await Task.Delay(500, FaultScenario.Ct);
        }

        GraphiteClientStatistics frozen = client.Statistics;
        Assert.True(carbon.IsFrozen, "carbon must still be frozen");
        await carbon.KillAsync();
        await carbon.StartAgainAsync();
        await client.CloseAsync();
        GraphiteClientStatistics closed = client.Statistics;

        StoredPointsReport report = await carbon.WaitForAllStoredAsync(expected, StoreTimeout, FaultScenario.Ct);
        string outcome = string.Create(
            CultureInfo.InvariantCulture,
            $"client while frozen (most delivered seen): {worst}\nclient after {IdleSenderFrozenCarbonTests.FreezeTime.TotalSeconds:0} s frozen: {frozen}\nclient closed: {closed}");
        TestContext.Current.SendDiagnosticMessage($"carbon frozen before connect: {report.ToString().Split('\n')[0]}; most delivered while frozen {worst.PointsDelivered}; closed: {closed}");
        Assert.True(worst.PointsDelivered == 0, $"carbon was frozen (SIGSTOP) the whole time and read nothing, yet the client counted {worst.PointsDelivered:N0} point(s) delivered\n{outcome}");
        Assert.True(report.Complete, $"carbon frozen before the client connected, 70 s, then SIGKILLed and restarted: {report}\n{outcome}");
        Assert.True(closed.PointsDropped == 0, $"every point is stored, but the client counts some as dropped\n{outcome}");
    }
}
