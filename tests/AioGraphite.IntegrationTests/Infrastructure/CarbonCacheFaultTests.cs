using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Infrastructure;

/// <summary>Fault control of the carbon-cache fixture: kill, stop, start again on the same ports and data.</summary>
public sealed class CarbonCacheFaultTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Kill_then_StartAgain_keeps_whisper_data_and_accepts_new_points()
    {
        await using var carbon = await CarbonCacheServer.StartAsync();
        var (line, pickle, udp, query, dir) = (carbon.LinePort, carbon.PicklePort, carbon.UdpPort, carbon.CacheQueryPort, carbon.DataDirectory);
        var now = Wire.Now();
        await Wire.SendLinesAsync(carbon.LinePort, $"test.fault.m 1 {now - 20}\n");
        await carbon.WaitForPointsAsync("test.fault.m", 1, Wait); // SIGKILL loses the write cache: be sure it is on disk
        var firstPid = carbon.Pid;

        await carbon.KillAsync();

        Assert.False(carbon.IsRunning);
        Assert.False(FreePorts.IsTcpListening(line));
        Assert.False(FreePorts.IsUdpBound(udp));

        await carbon.StartAgainAsync();

        Assert.True(carbon.IsRunning);
        Assert.NotEqual(firstPid, carbon.Pid);
        Assert.Equal((line, pickle, udp, query, dir), (carbon.LinePort, carbon.PicklePort, carbon.UdpPort, carbon.CacheQueryPort, carbon.DataDirectory));
        await Wire.SendLinesAsync(carbon.LinePort, $"test.fault.m 2 {now - 19}\n");
        Assert.Equal([(now - 20, 1.0), (now - 19, 2.0)], await carbon.WaitForPointsAsync("test.fault.m", 2, Wait));

        // SIGTERM + start again, once more on the same ports
        await carbon.RestartAsync();
        await Wire.SendLinesAsync(carbon.LinePort, $"test.fault.m 3 {now - 18}\n");
        Assert.Equal([(now - 20, 1.0), (now - 19, 2.0), (now - 18, 3.0)], await carbon.WaitForPointsAsync("test.fault.m", 3, Wait));
    }

    [Fact]
    public async Task Options_are_applied_and_StartAgain_while_running_is_refused()
    {
        await using var carbon = await CarbonCacheServer.StartAsync(new CarbonCacheOptions { Retentions = "1s:10m,1m:1d", AggregationMethod = "max" });
        await Wire.SendLinesAsync(carbon.LinePort, $"test.fault.options 5 {Wire.Now() - 3}\n");
        await carbon.WaitForPointsAsync("test.fault.options", 1, Wait);

        var info = await PythonScript.RunAsync(
            "import sys, whisper; i = whisper.info(sys.argv[1]); print(i['aggregationMethod'], [(a['secondsPerPoint'], a['points']) for a in i['archives']])",
            arguments: [carbon.WhisperPath("test.fault.options")],
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("max [(1, 600), (60, 1440)]", info.Trim());
        await Assert.ThrowsAsync<InvalidOperationException>(carbon.StartAgainAsync);
        Assert.True(carbon.IsRunning);
    }

    [Fact]
    public async Task Dispose_kills_carbon_and_deletes_its_directory()
    {
        var carbon = await CarbonCacheServer.StartAsync();
        var (pid, dir, port) = (carbon.Pid, carbon.DataDirectory, carbon.LinePort);

        await carbon.DisposeAsync();

        Assert.False(IsAlive(pid));
        Assert.False(FreePorts.IsTcpListening(port));
        if (Environment.GetEnvironmentVariable("AIOGRAPHITE_KEEP_TEST_DIRS") != "1")
        {
            Assert.False(Directory.Exists(dir));
        }
    }

    [Fact]
    public async Task A_carbon_that_cannot_start_fails_loudly_with_its_own_error()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => CarbonCacheServer.StartAsync(new CarbonCacheOptions { Retentions = "not-a-retention" }));

        Assert.Contains("did not start", ex.Message, StringComparison.Ordinal);
        Assert.Contains("storage-schemas.conf", ex.Message, StringComparison.Ordinal); // carbon's own complaint, from its start-up output
    }

    // gone, or only zombie threads left (PID 1 may reap the daemon late; a zombie holds no sockets)
    private static bool IsAlive(int pid)
    {
        var tasks = $"/proc/{pid}/task";
        return Directory.Exists(tasks) && Directory.GetDirectories(tasks).Any(t =>
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(t, "stat"));
                return stat[stat.LastIndexOf(')') + 2] != 'Z';
            }
            catch (IOException)
            {
                return false;
            }
        });
    }
}
