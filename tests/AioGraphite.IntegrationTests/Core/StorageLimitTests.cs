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
        // The carbon is shared with the raw-line tests of this class, which make it log "File name too long" on purpose:
        // look only for this test's node.
        Assert.DoesNotContain(
            Server.ReadLog("console.log").Split('\n'),
            line => line.Contains("File name too long", StringComparison.Ordinal) && line.Contains("nnnnnnnn", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheLimitsAreCarbons_RawLinesAtTheBoundaryAreStored_OnePastIsLost()
    {
        // Without the client: what carbon and whisper do at each limit the client enforces.
        long ts = Wire.Now() - 500;
        string atLimits = $"it.limits.raw.{new string('d', 255)}.{new string('f', 251)}";
        string dirTooLong = $"it.limits.raw.{new string('D', 256)}.x";
        string fileTooLong = $"it.limits.raw.{new string('F', 252)}";
        const string LatestTimestamp = "it.limits.raw.latest";
        await Wire.SendLinesAsync(Server.LinePort, $"{atLimits} 1 {ts}\n{dirTooLong} 2 {ts}\n{fileTooLong} 3 {ts}\n{LatestTimestamp} 4 4294967295\nit.limits.raw.after 5 {ts}\n");

        Assert.Equal([(ts, 1.0)], await Server.WaitForPointsAsync(atLimits, 1, StoreTimeout));
        Assert.Equal([(4_294_967_295L, 4.0)], await Server.WaitForPointsAsync(LatestTimestamp, 1, StoreTimeout));
        Assert.Equal([(ts, 5.0)], await Server.WaitForPointsAsync("it.limits.raw.after", 1, StoreTimeout));
        await Poll.UntilAsync(
            () => Server.ReadLog("console.log").Split("File name too long").Length - 1 >= 2,
            StoreTimeout,
            () => "carbon to log both failed creates; console.log:\n" + Server.ReadLog("console.log"));
        Assert.DoesNotContain(Server.AllWhisperFiles(), f => f.Contains("DDDD", StringComparison.Ordinal) || f.Contains("FFFF", StringComparison.Ordinal));

        // The client takes exactly what carbon stores.
        Assert.True(GraphiteDatapointValidator.Default.TryValidate(new Datapoint(atLimits, 1, ts), out _));
        Assert.True(GraphiteDatapointValidator.Default.TryValidate(new Datapoint(LatestTimestamp, 4, 4_294_967_295), out _));
        Assert.False(GraphiteDatapointValidator.Default.TryValidate(new Datapoint(dirTooLong, 2, ts), out _));
        Assert.False(GraphiteDatapointValidator.Default.TryValidate(new Datapoint(fileTooLong, 3, ts), out _));
        Assert.False(GraphiteDatapointValidator.Default.TryValidate(new Datapoint(LatestTimestamp, 4, 4_294_967_296), out _));
    }

    [Fact]
    public async Task RawMillisecondLine_WhisperFailsOnIt_AndCarbonLosesValidPointsOfTheSeries()
    {
        // Without the client: the loss the client's refusal prevents.
        long start = Wire.Now() - 600;
        var text = new System.Text.StringBuilder();
        for (int k = 0; k < PointsPerSeries; k++)
        {
            text.Append($"it.limits.rawms.series {k} {start + k}\nit.limits.rawms.other {k} {start + k}\n");
            if (k == PointsPerSeries / 2)
            {
                text.Append($"it.limits.rawms.series 99 {(start + k) * 1000}\n");
            }
        }

        await Wire.SendLinesAsync(Server.LinePort, text.ToString());

        Assert.Equal(PointsPerSeries, (await Server.WaitForPointsAsync("it.limits.rawms.other", PointsPerSeries, StoreTimeout)).Count);
        await Poll.UntilAsync(
            () => Server.ReadLog("console.log").Contains("'L' format requires 0 <= number <= 4294967295", StringComparison.Ordinal),
            StoreTimeout,
            () => "whisper's struct.error in console.log:\n" + Server.ReadLog("console.log"));
        await Task.Delay(CarbonCacheServer.SettleTime, Ct);
        var stored = await Server.ReadPointsAsync("it.limits.rawms.series");
        Assert.True(stored.Count < PointsPerSeries, $"carbon stored {stored.Count} of the {PointsPerSeries} valid points");
    }
}
