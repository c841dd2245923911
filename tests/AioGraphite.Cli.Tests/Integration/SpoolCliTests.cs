using System.Globalization;
using System.Text;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>Shared steps of the <c>--spool</c> tests of the tool.</summary>
internal static class SpoolCli
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string NewDirectory(string name)
    {
        string path = Path.Combine(Path.GetTempPath(), $"aiographite-cli-spool-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static void Delete(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    public static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The tool as a process of its own: <c>dotnet AioGraphite.Cli.dll ARGS</c>.</summary>
    public static string[] Tool(params string[] args) => [DotnetHost.BuiltProgram("AioGraphite.Cli"), .. args];
}

/// <summary>
/// Issue 10, the tool's spool: <c>aiographite pipe --spool DIR</c> with carbon down is killed with SIGKILL mid-stream; a
/// second <c>aiographite pipe --spool DIR</c> with empty input and carbon up delivers every point the first left in whole
/// records on disk (read by the test itself), says so, exits 0 and leaves the spool empty.
/// </summary>
[Trait("Category", PipeFault.Category)]
public sealed class PipeSpoolKillTests
{
    private const int Metrics = 20;
    private const int Steps = 600;

    [Fact]
    public async Task PipeWithSpool_KilledWhileCarbonIsDown_NextPipeOnTheSpoolDeliversWhatWasOnDisk()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await carbon.KillAsync();
        string spool = SpoolCli.NewDirectory("kill");
        try
        {
            string port = SpoolCli.Text(carbon.LinePort);
            long first = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1800;
            SpoolOnDisk disk;
            await using (RunningProcess pipe = RunningProcess.Start(DotnetHost.Path, SpoolCli.Tool("pipe", "--port", port, "--spool", spool, "--timeout", "120")))
            {
                using var stopFeeding = CancellationTokenSource.CreateLinkedTokenSource(SpoolCli.Ct);
                Task feeding = FeedAsync(pipe.StandardInput, first, stopFeeding.Token);
                await Poll.UntilAsync(() => SpoolRecords.Read(spool).Points >= 2_000, TimeSpan.FromSeconds(30), () => $"2,000 points in the spool on disk\n{pipe}", TimeSpan.FromMilliseconds(20));
                Assert.False(feeding.IsCompleted, "the input ended before the kill: the kill must come mid-stream");
                await pipe.KillAsync();
                await stopFeeding.CancelAsync();
                await feeding;
                disk = SpoolRecords.Read(spool);
            }

            Assert.InRange(disk.Points, 2_000, (Metrics * Steps) - 1);
            Dictionary<string, List<(long Timestamp, double Value)>> onDisk = [];
            foreach (string[] fields in disk.Records.SelectMany(r => r.Lines()).Select(l => l.Split(' ')))
            {
                (onDisk.TryGetValue(fields[0], out var points) ? points : onDisk[fields[0]] = []).Add(
                    (long.Parse(fields[2], CultureInfo.InvariantCulture), double.Parse(fields[1], CultureInfo.InvariantCulture)));
            }

            await carbon.StartAgainAsync();
            CliResult second = await ProcessRun.RunAsync(DotnetHost.Path, SpoolCli.Tool("pipe", "--port", port, "--spool", spool), environment: null, TimeSpan.FromSeconds(60), standardInput: string.Empty);
            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.Contains($"{disk.Points:N0} points delivered ({disk.Points:N0} points left in the spool by an earlier run, sent first)", second.Error, StringComparison.Ordinal);

            var expected = onDisk.Select(kv => new ExpectedSeries(kv.Key, kv.Value)).ToList();
            StoredPointsReport report = await carbon.WaitForAllStoredAsync(expected, TimeSpan.FromSeconds(60), SpoolCli.Ct);
            TestContext.Current.SendDiagnosticMessage($"aiographite pipe --spool, killed with {disk.Points} points on disk: {report.ToString().Split('\n')[0]}");
            Assert.True(report.Complete, $"{report}\n{second}");
            Assert.Empty(SpoolRecords.Read(spool).Files);
        }
        finally
        {
            SpoolCli.Delete(spool);
        }
    }

    /// <summary>Writes <c>metric value timestamp</c> lines at ~10,000 lines/s until done or stopped (the pipe killed).</summary>
    private static async Task FeedAsync(Stream stdin, long first, CancellationToken stop)
    {
        var text = new StringBuilder();
        try
        {
            for (int step = 0; step < Steps && !stop.IsCancellationRequested; step++)
            {
                text.Clear();
                for (int m = 0; m < Metrics; m++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"spool.cli.kill.m{m:D2} {(m * 10_000.0) + step + 0.75:R} {first + step}\n");
                }

                await stdin.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), stop);
                await stdin.FlushAsync(stop);
                await Task.Delay(2, stop);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // killed
        }
    }
}

/// <summary>Issue 10 (and 16): a second <c>aiographite pipe --spool DIR</c> while another one holds DIR waits up to its --timeout, then one line naming the directory, the holder and the wait, exit 2.</summary>
[Trait("Category", PipeFault.Category)]
public sealed class PipeSpoolTwoProcessesTests
{
    [Fact]
    public async Task PipeOnASpoolHeldByAnotherPipe_OneLineNamingTheDirectoryAndTheHolder_ExitTwo()
    {
        string spool = SpoolCli.NewDirectory("two");
        try
        {
            // Nothing listens on port 9 (discard): the holder keeps the spool while it retries.
            await using RunningProcess holder = RunningProcess.Start(DotnetHost.Path, SpoolCli.Tool("pipe", "--port", "9", "--spool", spool));
            string note = Path.Combine(spool, "127.0.0.1_tcp_9_plaintext", "holder");
            await Poll.UntilAsync(() => File.Exists(note) && File.ReadAllText(note).Contains($"process {holder.Id} ", StringComparison.Ordinal), TimeSpan.FromSeconds(30), () => $"the holder note {note}\n{holder}");

            // It waits up to its --timeout for the holder, then gives up naming it and the wait.
            CliResult second = await CliRun.RunAsync(["pipe", "--port", "9", "--spool", spool, "--timeout", "1"], cancellationToken: SpoolCli.Ct);
            Assert.True(second.ExitCode == 2, second.ToString());
            string line = second.SingleErrorLine();
            Assert.StartsWith($"aiographite pipe: The spool directory '{spool}", line, StringComparison.Ordinal);
            Assert.Contains($"is in use by process {holder.Id} ", line, StringComparison.Ordinal);
            Assert.Contains("not released within 1.0 s of waiting", line, StringComparison.Ordinal);
        }
        finally
        {
            SpoolCli.Delete(spool);
        }
    }
}

/// <summary>
/// Issue 10: <c>aiographite send --spool DIR</c> with carbon down keeps the point on disk (exit 2 saying so); the next
/// <c>send --spool DIR</c> with carbon up sends it first, then its own point, and exits 0; whisper holds both.
/// </summary>
[Trait("Category", PipeFault.Category)]
public sealed class SendSpoolTests
{
    [Fact]
    public async Task SendWithSpool_CarbonDown_PointKeptOnDisk_NextSendDeliversBoth()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await carbon.KillAsync();
        string spool = SpoolCli.NewDirectory("send");
        try
        {
            string port = SpoolCli.Text(carbon.LinePort);
            long ts = CarbonFixture.Now() - 600;
            CliResult down = await CliRun.RunAsync(["send", "spool.cli.send", "1.5", SpoolCli.Text(ts), "--port", port, "--spool", spool, "--timeout", "1"], cancellationToken: SpoolCli.Ct);
            Assert.True(down.ExitCode == 2, down.ToString());
            Assert.Contains($"1 point (this one included) stay in the spool '{spool}'", down.SingleErrorLine(), StringComparison.Ordinal);
            Assert.Equal(1, SpoolRecords.Read(spool).Points);

            await carbon.StartAgainAsync();
            CliResult up = await CliRun.RunAsync(["send", "spool.cli.send", "2.5", SpoolCli.Text(ts + 1), "--port", port, "--spool", spool], cancellationToken: SpoolCli.Ct);
            Assert.True(up.ExitCode == 0, up.ToString());
            Assert.Equal([(ts, 1.5), (ts + 1, 2.5)], await carbon.WaitForPointsAsync("spool.cli.send", 2, TimeSpan.FromSeconds(15)));
            Assert.Empty(SpoolRecords.Read(spool).Files);
        }
        finally
        {
            SpoolCli.Delete(spool);
        }
    }
}

/// <summary>
/// Issue 16, item 5 (overlapping cron jobs): ten <c>aiographite send --spool DIR</c> started at once against a real
/// carbon-cache. Each waits its turn for the spool (up to its <c>--timeout</c>) instead of failing: all ten exit 0 and
/// carbon's whisper file holds all ten points (before, nine exited 2 with "in use by process ..." and one point was stored).
/// </summary>
[Trait("Category", PipeFault.Category)]
public sealed class SendSpoolOverlapTests
{
    private const int Sends = 10;

    [Fact]
    public async Task TenSendsOnOneSpoolAtOnce_EachWaitsItsTurn_AllTenPointsStored()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        string spool = SpoolCli.NewDirectory("overlap");
        var sends = new List<RunningProcess>();
        try
        {
            string port = SpoolCli.Text(carbon.LinePort);
            long ts = CarbonFixture.Now() - 600;
            for (int i = 0; i < Sends; i++)
            {
                sends.Add(RunningProcess.Start(DotnetHost.Path, SpoolCli.Tool("send", "spool.cli.overlap", SpoolCli.Text(i + 1), SpoolCli.Text(ts + i), "--port", port, "--spool", spool, "--timeout", "60")));
            }

            ProcessRunner.Result[] results = await Task.WhenAll(sends.Select(s => s.WaitForExitAsync(TimeSpan.FromSeconds(120))));
            for (int i = 0; i < Sends; i++)
            {
                Assert.True(results[i].ExitCode == 0, $"send {i} exited {results[i].ExitCode}: {results[i].StandardError}");
            }

            var expected = Enumerable.Range(0, Sends).Select(i => (ts + i, (double)(i + 1))).ToList();
            Assert.Equal(expected, await carbon.WaitForPointsAsync("spool.cli.overlap", Sends, TimeSpan.FromSeconds(30)));
            Assert.Empty(SpoolRecords.Read(spool).Files);
        }
        finally
        {
            foreach (RunningProcess send in sends)
            {
                await send.DisposeAsync();
            }

            SpoolCli.Delete(spool);
        }
    }
}
