using System.Globalization;
using AioGraphite.FaultDriver;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Faults;

/// <summary>
/// Issue 15, row 1: an idle sender and a loaded carbon. A client (default options, kept open) sends a burst of 2,000 points
/// (50 series × 40 timestamps), then goes quiet like a once-a-minute reporter. carbon-cache is loaded
/// (<c>MAX_UPDATES_PER_SECOND = 5</c>: with 50 series its write cache holds ~10 s of points), so once it has read the
/// burst most of it is still in memory when carbon freezes (SIGSTOP) 1 s later. It stays frozen for 70 s, longer than the
/// default replay window (1 min), then is SIGKILLed (its cache is gone) and started again. The client then sends a second
/// burst of 2,000 points and closes. Every point of both bursts must be in whisper: a client cannot tell an idle frozen
/// carbon from an idle healthy one, so it must not let the first burst age out of replay while it has no proof of life.
/// </summary>
[Trait("Category", FaultScenario.Category)]
public sealed class IdleSenderFrozenCarbonTests
{
    public const int Metrics = 50;
    public const int Steps = 40; // per burst: 2,000 points

    /// <summary>Longer than the default <see cref="GraphiteClientOptions.ReplayWindow"/> (1 min).</summary>
    public static readonly TimeSpan FreezeTime = TimeSpan.FromSeconds(70);

    /// <summary>With 50 series at 5 updates per second carbon needs ~10 s per pass over them; the settle check ends a failing wait far sooner.</summary>
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task IdleSender_LoadedCarbonFrozenSeventySecondsThenKilled_EveryPointOfBothBurstsStored()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync(new CarbonCacheOptions { MaxUpdatesPerSecond = 5 });
        long first = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1800;
        IReadOnlyList<ExpectedSeries> firstBurst = Burst("fault.idle-frozen.lib", first, 0);
        IReadOnlyList<ExpectedSeries> all = ExpectedSeries.Grid(Metrics, 2 * Steps, first, m => Metric("fault.idle-frozen.lib", m), FaultStreamPlan.Value);

        await using GraphiteClient client = await GraphiteClient.ConnectAsync("127.0.0.1", carbon.LinePort, new PlaintextProtocol(), new GraphiteClientOptions(), FaultScenario.Ct);
        await SendBurstAsync(client, "fault.idle-frozen.lib", first, 0);

        // carbon has read the whole burst (it is in its write cache, a few series already in whisper), then the sender is idle.
        await carbon.WaitForAllReceivedAsync(firstBurst, TimeSpan.FromSeconds(30), FaultScenario.Ct);
        await Task.Delay(TimeSpan.FromSeconds(1), FaultScenario.Ct);
        int storedBeforeFreeze = await StoredPointsAsync(carbon, firstBurst);
        GraphiteClientStatistics beforeFreeze = client.Statistics;
        carbon.Freeze();
        await Task.Delay(FreezeTime, FaultScenario.Ct);
        GraphiteClientStatistics frozen = client.Statistics;
        await carbon.KillAsync();
        await carbon.StartAgainAsync();

        await SendBurstAsync(client, "fault.idle-frozen.lib", first, Steps);
        await client.CloseAsync();
        GraphiteClientStatistics closed = client.Statistics;

        StoredPointsReport report = await carbon.WaitForAllStoredAsync(all, StoreTimeout, FaultScenario.Ct);
        string outcome = string.Create(
            CultureInfo.InvariantCulture,
            $"{storedBeforeFreeze:N0} of the first burst's 2,000 points were in whisper when carbon froze\nclient before the freeze: {beforeFreeze}\nclient after {FreezeTime.TotalSeconds:0} s frozen: {frozen}\nclient closed: {closed}");
        TestContext.Current.SendDiagnosticMessage($"idle sender, loaded carbon frozen 70 s then SIGKILLed: {report.ToString().Split('\n')[0]}; closed: {closed}");
        Assert.True(report.Complete, $"idle sender, loaded carbon (MAX_UPDATES_PER_SECOND = 5) frozen for 70 s after the first burst, then SIGKILLed and restarted: {report}\n{outcome}");
        Assert.True(closed.PointsDropped == 0, $"every point is stored, but the client counts some as dropped\n{outcome}");
    }

    /// <summary>Burst number <paramref name="firstStep"/> / <see cref="Steps"/>: steps firstStep .. firstStep + Steps - 1 of every series.</summary>
    internal static IReadOnlyList<ExpectedSeries> Burst(string prefix, long firstTimestamp, int firstStep)
        => ExpectedSeries.Grid(Metrics, Steps, firstTimestamp + firstStep, m => Metric(prefix, m), (m, k) => FaultStreamPlan.Value(m, firstStep + k));

    internal static string Metric(string prefix, int series) => string.Create(CultureInfo.InvariantCulture, $"{prefix}.m{series:D3}");

    private static async Task SendBurstAsync(GraphiteClient client, string prefix, long firstTimestamp, int firstStep)
    {
        foreach (ExpectedSeries series in Burst(prefix, firstTimestamp, firstStep))
        {
            await client.SendMultipleAsync(series.Points.Select(p => new Datapoint(series.Metric, p.Value, p.Timestamp)), cancellationToken: FaultScenario.Ct);
        }
    }

    /// <summary>How many of <paramref name="expected"/>'s points whisper holds with their values.</summary>
    internal static async Task<int> StoredPointsAsync(CarbonCacheServer carbon, IReadOnlyList<ExpectedSeries> expected)
    {
        int stored = 0;
        foreach (ExpectedSeries series in expected)
        {
            stored += (await carbon.ReadPointsAsync(series.Metric)).Count(series.Points.Contains);
        }

        return stored;
    }
}
