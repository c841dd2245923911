using AioGraphite.IntegrationTests.Infrastructure;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Core;

/// <summary>
/// Input carbon would read and then lose (whisper cannot store it) is refused by the client, so the valid points around
/// it, of the same series too, are all stored.
/// </summary>
public sealed class StorageLimitTests(SharedCarbonCache carbon) : IClassFixture<SharedCarbonCache>
{
    private const int PointsPerSeries = 40;

    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CarbonCacheServer Server => carbon.Server;

    [Fact]
    public async Task SendMultipleAsync_MillisecondTimestampAmongFortyPointsOfItsSeries_IsRefused_EveryValidPointIsStored()
    {
        // Before the fix carbon took the line, whisper failed on it ("'L' format requires 0 <= number <= 4294967295")
        // and carbon dropped every point of the series it held in its cache with it.
        long start = Wire.Now() - 300;
        var expected = ExpectedSeries.Grid(3, PointsPerSeries, start, m => $"it.limits.ms.s{m}", (m, k) => (m * 1000) + k + 0.25);
        var points = new List<Datapoint>();
        for (int k = 0; k < PointsPerSeries; k++)
        {
            points.AddRange(expected.Select(s => new Datapoint(s.Metric, s.Points[k].Value, s.Points[k].Timestamp)));
            if (k == PointsPerSeries / 2)
            {
                points.Add(new Datapoint("it.limits.ms.s0", 7.5, (start + k) * 1000));
            }
        }

        Exception? refused;
        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", Server.LinePort, cancellationToken: Ct))
        {
            refused = await Record.ExceptionAsync(async () => await client.SendMultipleAsync(points, cancellationToken: Ct));
            await client.WaitForDeliveryAsync(Ct);
        }

        StoredPointsReport report = await Server.WaitForAllStoredAsync(expected, StoreTimeout, Ct);
        Assert.True(report.Complete, report.ToString());
        var ex = Assert.IsType<ArgumentException>(refused);
        Assert.Contains("'it.limits.ms.s0'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("looks like milliseconds; divide by 1000", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"1 of {points.Count} datapoints were rejected", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendMultipleAsync_PathNodeOf300Bytes_IsRefused_TheOtherPointsAreStored_NoFileIsCreated()
    {
        // Before the fix carbon took the line and failed to create the file ("File name too long"): the point was lost.
        long start = Wire.Now() - 400;
        string longNode = "it.limits.node." + new string('n', 300) + ".leaf";
        var expected = ExpectedSeries.Grid(2, PointsPerSeries, start, m => $"it.limits.node.s{m}", (m, k) => (m * 1000) + k + 0.5);
        var points = new List<Datapoint>();
        for (int k = 0; k < PointsPerSeries; k++)
        {
            points.AddRange(expected.Select(s => new Datapoint(s.Metric, s.Points[k].Value, s.Points[k].Timestamp)));
            if (k == PointsPerSeries / 2)
            {
                points.Add(new Datapoint(longNode, 1, start + k));
            }
        }

        Exception? refused;
        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", Server.LinePort, cancellationToken: Ct))
        {
            refused = await Record.ExceptionAsync(async () => await client.SendMultipleAsync(points, cancellationToken: Ct));
            await client.WaitForDeliveryAsync(Ct);
        }

        StoredPointsReport report = await Server.WaitForAllStoredAsync(expected, StoreTimeout, Ct);
        Assert.True(report.Complete, report.ToString());
        var ex = Assert.IsType<ArgumentException>(refused);
        Assert.Contains("300 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"1 of {points.Count} datapoints were rejected", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Server.AllWhisperFiles(), f => f.Contains("nnnn", StringComparison.Ordinal));
        Assert.DoesNotContain("File name too long", Server.ReadLog("console.log"), StringComparison.Ordinal);
    }
}
