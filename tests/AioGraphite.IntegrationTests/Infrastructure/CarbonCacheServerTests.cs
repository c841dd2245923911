using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Infrastructure;

/// <summary>The carbon-cache fixture against a real carbon-cache (one shared by this class).</summary>
public sealed class CarbonCacheServerTests(SharedCarbonCache shared) : IClassFixture<SharedCarbonCache>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private CarbonCacheServer Carbon => shared.Server;

    [Fact]
    public void Server_listens_on_its_own_loopback_ports_in_its_own_directory()
    {
        int[] ports = [Carbon.LinePort, Carbon.PicklePort, Carbon.UdpPort, Carbon.CacheQueryPort];
        Assert.Equal(4, ports.Distinct().Count());
        Assert.True(FreePorts.IsTcpListening(Carbon.LinePort));
        Assert.True(FreePorts.IsTcpListening(Carbon.PicklePort));
        Assert.True(FreePorts.IsTcpListening(Carbon.CacheQueryPort));
        Assert.True(FreePorts.IsUdpBound(Carbon.UdpPort));
        Assert.True(Carbon.IsRunning);
        Assert.True(Carbon.Pid > 0);
        Assert.DoesNotContain('%', Carbon.DataDirectory);
        Assert.StartsWith(Carbon.DataDirectory, Carbon.WhisperDirectory, StringComparison.Ordinal);
        Assert.StartsWith(Carbon.DataDirectory, Carbon.LogDirectory, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_plaintext_lines_are_stored_with_exact_timestamps_and_values()
    {
        var now = Wire.Now();
        await Wire.SendLinesAsync(Carbon.LinePort, $"test.fixture.a 1.5 {now - 10}\ntest.fixture.a -2.25 {now - 9}\n");

        var points = await Carbon.WaitForPointsAsync("test.fixture.a", 2, Wait);

        Assert.Equal([(now - 10, 1.5), (now - 9, -2.25)], points);
        var path = Carbon.WhisperPath("test.fixture.a");
        Assert.Equal(Path.Combine(Carbon.WhisperDirectory, "test", "fixture", "a.wsp"), path);
        Assert.Equal(points, WhisperReader.ReadAll(path));
        Assert.Contains(path, Carbon.AllWhisperFiles());
        Assert.Equal(points, await Carbon.ReadPointsAsync("test.fixture.a"));
        Assert.Contains("test.fixture.a", Carbon.ReadLog("creates"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tagged_name_is_stored_where_WhisperPath_says()
    {
        var now = Wire.Now();
        await Wire.SendLinesAsync(Carbon.LinePort, $"test.fixture.tagged;zone=eu;host=web1 42 {now - 5}\n");

        var points = await Carbon.WaitForPointsAsync("test.fixture.tagged;zone=eu;host=web1", 1, Wait);

        Assert.Equal([(now - 5, 42.0)], points);
        var path = Carbon.WhisperPath("test.fixture.tagged;zone=eu;host=web1");
        Assert.Equal(path, Carbon.WhisperPath("test.fixture.tagged;host=web1;zone=eu")); // carbon sorts the tags
        Assert.Matches("/_tagged/[0-9a-f]{3}/[0-9a-f]{3}/[0-9a-f]{64}\\.wsp$", path);
        Assert.True(File.Exists(path));
        Assert.Single(Carbon.AllWhisperFiles(), f => f.Contains("/_tagged/", StringComparison.Ordinal) && f == path);
    }

    [Fact]
    public async Task Cache_query_returns_a_point_before_it_is_on_disk()
    {
        // carbon's writer drains the cache about once a second: query right after sending; should the writer
        // win the race, try again with a new point (each attempt is a few milliseconds).
        var now = Wire.Now();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var metric = $"test.fixture.cachequery.attempt{attempt}";
            await Wire.SendLinesAsync(Carbon.LinePort, $"{metric} 7.25 {now - 3}\n");
            IReadOnlyList<(long Timestamp, double Value)> cached = [];
            await Poll.TryUntilAsync(
                async () =>
                {
                    cached = await Carbon.QueryCacheAsync(metric, TestContext.Current.CancellationToken);
                    return cached.Count > 0 || (await Carbon.ReadPointsAsync(metric)).Count > 0; // in the cache, or already written: try again
                },
                TimeSpan.FromSeconds(2),
                TimeSpan.FromMilliseconds(2));
            if (cached.Count > 0)
            {
                Assert.Equal([(now - 3, 7.25)], cached);
                return;
            }
        }

        Assert.Fail("the cache query never returned the point in 5 attempts; query.log:\n" + Carbon.ReadLog("query"));
    }

    [Fact]
    public async Task Cache_query_for_an_unknown_metric_is_empty()
        => Assert.Empty(await Carbon.QueryCacheAsync("test.fixture.never.sent", TestContext.Current.CancellationToken));

    [Fact]
    public async Task Udp_datagram_is_stored()
    {
        var now = Wire.Now();
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await udp.SendAsync(Encoding.UTF8.GetBytes($"test.fixture.udp 3.5 {now - 4}\n"), new IPEndPoint(IPAddress.Loopback, Carbon.UdpPort), TestContext.Current.CancellationToken);

        Assert.Equal([(now - 4, 3.5)], await Carbon.WaitForPointsAsync("test.fixture.udp", 1, Wait));
    }

    [Fact]
    public async Task Pickle_frame_is_stored()
    {
        var now = Wire.Now();
        var frame = await Wire.PickleFrameAsync([("test.fixture.pickle", now - 8, 0.125), ("test.fixture.pickle", now - 7, 1e300)]);
        await Wire.SendTcpAsync(Carbon.PicklePort, frame);

        Assert.Equal([(now - 8, 0.125), (now - 7, 1e300)], await Carbon.WaitForPointsAsync("test.fixture.pickle", 2, Wait));
    }

    [Fact]
    public async Task Invalid_line_shows_in_the_listener_log()
    {
        var now = Wire.Now();
        await Wire.SendLinesAsync(Carbon.LinePort, $"test.fixture.invalid-line not-a-number {now}\ntest.fixture.after-invalid 1 {now - 2}\n");

        await Carbon.WaitForPointsAsync("test.fixture.after-invalid", 1, Wait);
        Assert.Contains("invalid line", Carbon.ReadLog("listener.log"), StringComparison.Ordinal);
        Assert.False(File.Exists(Carbon.WhisperPath("test.fixture.invalid-line")));
    }

    [Fact]
    public async Task WaitForPoints_times_out_with_a_useful_message()
    {
        var ex = await Assert.ThrowsAsync<TimeoutException>(() => Carbon.WaitForPointsAsync("test.fixture.nothing", 1, TimeSpan.FromMilliseconds(200)));

        Assert.Contains("test.fixture.nothing", ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains("console.log", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Carbon.LinePort.ToString(CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }
}
