using System.Net.Sockets;
using System.Text;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Infrastructure;

/// <summary>The fault controls the fault tests rely on: freeze/thaw, a loaded carbon, and the loss report of the whisper check.</summary>
public sealed class CarbonFaultControlTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Freeze_StopsReadingButAcceptsConnections_Thaw_ReadsWhatPiledUp_KillWorksWhileFrozen()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        long now = Wire.Now();
        carbon.Freeze();
        Assert.True(carbon.IsFrozen);
        Assert.True(carbon.IsRunning);

        // The kernel completes the handshake and buffers the bytes; carbon reads nothing.
        using (Socket socket = await carbon.ConnectAsync(carbon.LinePort, Ct))
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"test.freeze.m 1 {now - 10}\n"), Ct);
        }

        await Task.Delay(1500, Ct);
        Assert.Empty(await carbon.ReadPointsAsync("test.freeze.m"));

        carbon.Thaw();
        Assert.False(carbon.IsFrozen);
        Assert.Equal([(now - 10, 1.0)], await carbon.WaitForPointsAsync("test.freeze.m", 1, TimeSpan.FromSeconds(15)));

        carbon.Freeze();
        await carbon.KillAsync();
        Assert.False(carbon.IsRunning);
        await carbon.StartAgainAsync();
        Assert.False(carbon.IsFrozen);
    }

    [Fact]
    public async Task MaxUpdatesPerSecond_IsWrittenToCarbonConf_AndHoldsPointsInTheCache()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync(new CarbonCacheOptions { MaxUpdatesPerSecond = 1 });
        string conf = await File.ReadAllTextAsync(Path.Combine(carbon.DataDirectory, "conf", "carbon.conf"), Ct);
        Assert.Contains("MAX_UPDATES_PER_SECOND = 1\n", conf, StringComparison.Ordinal);

        // 10 series at 1 update per second: most of them are still only in the cache a second later.
        long now = Wire.Now();
        await Wire.SendLinesAsync(carbon.LinePort, string.Concat(Enumerable.Range(0, 10).Select(m => $"test.loaded.m{m} 1 {now - 10}\n")));
        await Task.Delay(1000, Ct);
        int onDisk = 0, cached = 0;
        for (int m = 0; m < 10; m++)
        {
            onDisk += (await carbon.ReadPointsAsync($"test.loaded.m{m}")).Count;
            cached += (await carbon.QueryCacheAsync($"test.loaded.m{m}", Ct)).Count;
        }

        Assert.True(onDisk <= 5, $"{onDisk} of 10 series already on disk");
        Assert.True(cached >= 5, $"only {cached} of 10 series in carbon's cache");
    }

    [Fact]
    public async Task WaitForAllStored_ReportsLostAndWrongPointsPerSeries_AndSettlesLongBeforeTheTimeout()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        long first = Wire.Now() - 100;
        IReadOnlyList<ExpectedSeries> expected = ExpectedSeries.Grid(2, 10, first, m => $"test.report.m{m}", (m, k) => (m * 100) + k + 0.5);

        // m0 complete; m1 misses steps 3..5 and has step 7 with another value.
        var lines = new StringBuilder();
        for (int k = 0; k < 10; k++)
        {
            lines.Append($"test.report.m0 {k + 0.5} {first + k}\n");
            if (k is < 3 or > 5)
            {
                lines.Append($"test.report.m1 {(k == 7 ? 999 : 100 + k + 0.5)} {first + k}\n");
            }
        }

        await Wire.SendLinesAsync(carbon.LinePort, lines.ToString());
        StoredPointsReport report = await carbon.WaitForAllStoredAsync(expected, TimeSpan.FromSeconds(60), Ct);

        Assert.False(report.Complete);
        Assert.Equal(20, report.ExpectedPoints);
        Assert.Equal(4, report.LostPoints);
        Assert.True(report.Waited < TimeSpan.FromSeconds(15), $"took {report.Waited}: {report}");
        Assert.StartsWith("lost 4 of 20 points (20.0 %), 1 of them stored with a wrong value; 1 of 2 series incomplete (settled", report.ToString(), StringComparison.Ordinal);
        Assert.Contains("  test.report.m1: 4 of 10 lost at +3..+5, +7\n", report.ToString(), StringComparison.Ordinal);
        Assert.Equal([0, 4], report.Series.Select(s => s.Lost));

        // Complete once the rest arrives.
        await Wire.SendLinesAsync(carbon.LinePort, $"test.report.m1 103.5 {first + 3}\ntest.report.m1 104.5 {first + 4}\ntest.report.m1 105.5 {first + 5}\ntest.report.m1 107.5 {first + 7}\n");
        StoredPointsReport complete = await carbon.WaitForAllStoredAsync(expected, TimeSpan.FromSeconds(30), Ct);
        Assert.True(complete.Complete, complete.ToString());
        Assert.StartsWith("all 20 points stored with their values", complete.ToString(), StringComparison.Ordinal);
    }
}
