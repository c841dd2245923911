using System.Diagnostics;
using System.Globalization;
using AioGraphite.IntegrationTests.Faults;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Spool;

/// <summary>
/// Issue 10, full disk: the spool lives on a 1 MiB tmpfs that the test mounts and mostly fills; carbon is down. The
/// spool fills the rest: the client logs one clear error (SpoolFailed; its retries every 5 s that fail again are only
/// counted), keeps accepting points on memory under the full-buffer policy (drops counted, nothing thrown into the
/// caller); a filler file is deleted, the spool resumes (logged once, points synced again); carbon starts and whisper
/// holds every accepted point that was not counted as dropped, and none that was. The mount and its directory are
/// always removed.
/// </summary>
[Trait("Category", FaultScenario.Category)]
public sealed class SpoolFullDiskTests
{
    private const int Metrics = 40;
    private const int FullSteps = 1_400;     // ~7 s at 8,000 points/s: longer than a retry (5 s)
    private const int MaxSteps = 2_800;      // ~7 s more after space returns: the next retry (every 5 s) comes within it
    private static readonly TimeSpan StepPause = TimeSpan.FromMilliseconds(5);

    [Fact]
    public async Task DiskFullWhileCarbonIsDown_OneError_RunsOnMemoryWithCountedDrops_ResumesWhenSpaceReturns_EverythingNotDroppedStored()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await carbon.KillAsync();
        string root = SpoolScenario.NewDirectory("fulldisk");
        string mount = Path.Combine(root, "mnt");
        Directory.CreateDirectory(mount);
        await MountTmpfsAsync(mount, "1m");
        GraphiteClient? client = null;
        try
        {
            string filler = Path.Combine(mount, "filler");
            await File.WriteAllBytesAsync(filler, new byte[640 << 10], FaultScenario.Ct); // ~380 KiB left for the spool
            var logs = new LogCollector();
            client = GraphiteClient.Create("127.0.0.1", carbon.LinePort, options: new GraphiteClientOptions
            {
                SpoolDirectory = Path.Combine(mount, "spool"),
                SpoolFileBytes = 64 << 10,
                BatchSizeBytes = 16 << 10,
                BufferCapacityBytes = 128 << 10,
                LoggerFactory = logs,
            });
            long first = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3000; // up to 2,800 steps, all within whisper's hour
            string prefix = "spool.fulldisk";
            int steps = 0;
            async Task SendStepAsync()
            {
                var batch = new Datapoint[Metrics];
                for (int m = 0; m < Metrics; m++)
                {
                    batch[m] = new Datapoint(Metric(prefix, m), Value(m, steps), first + steps);
                }

                await client.SendMultipleAsync(batch, cancellationToken: FaultScenario.Ct); // never throws: the test fails if it does
                steps++;
                await Task.Delay(StepPause, FaultScenario.Ct);
            }

            // The spool fills the disk, then the client runs on memory; the stream goes on past a failed retry.
            while (steps < FullSteps)
            {
                await SendStepAsync();
            }

            GraphiteClientStatistics full = client.Statistics;
            string state = $"{full}\nlogs:\n{logs}";
            Assert.True(logs.Count("SpoolFailed") == 1, $"one SpoolFailed expected while the disk is full: {state}");
            Assert.Contains(logs.Entries, e => e.Event == "SpoolFailed" && e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains("No space left on device", StringComparison.Ordinal) && e.Message.Contains(mount, StringComparison.Ordinal));
            Assert.True(logs.Count("SpoolResumed") == 0, $"the spool cannot have resumed on a full disk: {state}");
            Assert.True(full.Spool.Errors >= 2, $"the retry after 5 s should have failed again (and only been counted): {state}");
            Assert.True(full.PointsDroppedBufferFull > 0, $"on memory with a 128 KiB buffer, DropOldest must have dropped points: {state}");
            Assert.True(full.Spool.PointsSpooled > 0, $"the spool should have taken points before the disk filled: {state}");

            // Space returns: the next retry writes again.
            File.Delete(filler);
            long spooledBefore = full.Spool.PointsSpooled;
            while (client.Statistics.Spool.PointsSpooled == spooledBefore || logs.Count("SpoolResumed") == 0)
            {
                Assert.True(steps < MaxSteps, $"the spool did not resume within {MaxSteps - FullSteps} steps after space returned: {client.Statistics}\nlogs:\n{logs}");
                await SendStepAsync();
            }

            Assert.Equal(1, logs.Count("SpoolResumed"));
            Assert.Equal(1, logs.Count("SpoolFailed"));

            await carbon.StartAgainAsync();
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(FaultScenario.Ct))
            {
                timeout.CancelAfter(TimeSpan.FromSeconds(60));
                await client.WaitForDeliveryAsync(timeout.Token);
            }

            await client.CloseAsync();
            GraphiteClientStatistics stats = client.Statistics;
            Assert.True(stats.PointsAccepted == (long)steps * Metrics && stats.PointsUndelivered == 0, $"{stats}");

            IReadOnlyList<ExpectedSeries> expected = ExpectedSeries.Grid(Metrics, steps, first, m => Metric(prefix, m), Value);
            StoredPointsReport report = await carbon.WaitForAllStoredAsync(expected, TimeSpan.FromSeconds(60), FaultScenario.Ct);
            TestContext.Current.SendDiagnosticMessage($"full disk: {steps * Metrics} accepted, {stats.PointsDroppedBufferFull} dropped (counted), {report.ToString().Split('\n')[0]}; spool errors {stats.Spool.Errors}");
            Assert.True(report.Series.All(s => s.WrongValue == 0), $"{report}");
            Assert.True(report.LostPoints == stats.PointsDroppedBufferFull, $"whisper lacks {report.LostPoints} points, the client counted {stats.PointsDroppedBufferFull} dropped: {report}\n{stats}");
        }
        finally
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }

            await UnmountAsync(mount);
            SpoolScenario.DeleteDirectory(root);
        }
    }

    private static string Metric(string prefix, int series) => string.Create(CultureInfo.InvariantCulture, $"{prefix}.m{series:D3}");

    private static double Value(int series, int step) => (series * 10_000.0) + step + 0.5;

    private static async Task MountTmpfsAsync(string mountPoint, string size)
    {
        ProcessRunner.Result mount = await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", $"size={size},mode=0700", "tmpfs", mountPoint], ReadOnlyMemory<byte>.Empty, null, TimeSpan.FromSeconds(30), FaultScenario.Ct);
        if (mount.ExitCode != 0)
        {
            SpoolScenario.DeleteDirectory(Path.GetDirectoryName(mountPoint)!);
            Assert.Fail($"The full-disk test mounts a small tmpfs ('mount -t tmpfs -o size={size} tmpfs {mountPoint}'), which needs root (CI runs as root): run the tests as root. mount exited {mount.ExitCode}: {mount.StandardError.Trim()}");
        }
    }

    private static async Task UnmountAsync(string mountPoint)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            ProcessRunner.Result umount = await ProcessRunner.RunAsync("umount", [mountPoint], ReadOnlyMemory<byte>.Empty, null, TimeSpan.FromSeconds(30), CancellationToken.None);
            if (umount.ExitCode == 0 || watch.Elapsed > TimeSpan.FromSeconds(10))
            {
                if (umount.ExitCode != 0)
                {
                    // Still busy (an open handle): detach it now, the kernel frees it once the last handle closes.
                    await ProcessRunner.RunAsync("umount", ["-l", mountPoint], ReadOnlyMemory<byte>.Empty, null, TimeSpan.FromSeconds(30), CancellationToken.None);
                }

                return;
            }

            await Task.Delay(200, CancellationToken.None);
        }
    }
}
