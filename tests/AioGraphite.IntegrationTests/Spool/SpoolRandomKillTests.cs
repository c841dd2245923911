using System.Diagnostics;
using System.Globalization;
using AioGraphite.FaultDriver;
using AioGraphite.IntegrationTests.Faults;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Spool;

/// <summary>
/// Issue 10, crash safety proven by killing: a writer process with a spool (64 KiB files and a 300 ms replay window, so
/// that files rotate and retired ones are deleted all the time; carbon up, so records are retired) is killed with SIGKILL
/// at a random moment (appends, syncs, rotation, deletion, reading back) at least 50 times, and started again on the same
/// spool each time, each run streaming new points with known (metric, timestamp, value) at 20,000 points/s; a last run
/// drains. Then carbon must hold every point each run reported durable before its kill, with its value, and each run's
/// stored points must be a prefix of what it sent (no holes in the order). After each kill the test reads the spool
/// itself: no file other than the last may be damaged, and a torn tail on disk must be reported by the next run (and
/// none when there was none). A kill lands inside a write (a few microseconds) too rarely to count on, so after every
/// fourth kill the test itself leaves what such a kill leaves, the first bytes of one more record at the end of the
/// last file (Linux writes a buffered write page by page and stops at a fatal signal); the next run must cut it off and
/// report it, and none of its points may reach carbon.
/// </summary>
[Trait("Category", FaultScenario.Category)]
public sealed class SpoolRandomKillTests
{
    private const int Runs = 52;
    private const int MinKills = 50;
    private const int Metrics = 10;
    private const int Steps = 3_000;
    private const double PointsPerSecond = 20_000;

    /// <summary>Longest time a run streams before its kill (the moment is uniform in 0 .. this, after it opened the spool).</summary>
    private static readonly TimeSpan MaxRunTime = TimeSpan.FromMilliseconds(900);

    [Fact]
    public async Task WriterKilledAtRandomMoments_EveryDurablePointStoredOnce_EachRunAPrefix()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        string spool = SpoolScenario.NewDirectory("kill");
        long first = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1800;
        var random = new Random(Environment.TickCount);
        var runs = new List<(FaultStreamPlan Plan, long Durable)>();
        var log = new List<string>();
        int tornOnDisk = 0, tornReported = 0, kills = 0;
        long pointsOnDisk = 0;
        bool tornBefore = false;
        var clock = Stopwatch.StartNew();
        try
        {
            using (await LoadSlots.AcquireAsync(FaultScenario.Ct))
            {
                for (int run = 0; run < Runs; run++)
                {
                    FaultStreamPlan plan = Plan(carbon, spool, run, first);
                    await using RunningProcess driver = SpoolScenario.StartDriver(plan);
                    SpoolOpened opened = await SpoolScenario.WaitForOpenedAsync(driver);
                    Assert.True(opened.TornTails == (tornBefore ? 1 : 0), $"run {run}: a torn tail was {(tornBefore ? string.Empty : "not ")}on disk, the client reported {opened.TornTails}\n{driver}");
                    Assert.True(opened.QuarantinedFiles == 0, $"run {run}: quarantined {opened.QuarantinedFiles} file(s) after a SIGKILL\n{driver}");
                    Assert.True(opened.RecoveredPoints == pointsOnDisk, $"run {run}: {pointsOnDisk} points in whole records after the checkpoint on disk, the client recovered {opened.RecoveredPoints}\n{driver}");
                    tornReported += (int)opened.TornTails;

                    TimeSpan wait = MaxRunTime * random.NextDouble();
                    await Task.Delay(wait, FaultScenario.Ct);
                    Assert.False(driver.HasExited, $"run {run} ended before its kill\n{driver}");
                    await driver.KillAsync();
                    kills++;
                    long durable = SpoolScenario.LastDurable(driver);
                    runs.Add((plan, durable));

                    SpoolOnDisk disk = SpoolRecords.Read(spool);
                    Assert.True(disk.DamagedFiles.Count == 0, $"run {run}: damaged files other than the last: {string.Join(", ", disk.DamagedFiles)}");
                    string torn = disk.TornTail ? ", torn tail (the kill)" : string.Empty;
                    if (!disk.TornTail && run % 4 == 3 && disk.Records.Count > 0)
                    {
                        AppendTornRecord(disk.Files[^1], disk.Records[^1].Sequence + 1, run, first);
                        disk = SpoolRecords.Read(spool);
                        Assert.True(disk.TornTail, "the torn record the test appended is not seen as one");
                        torn = ", torn tail (written by the test)";
                    }

                    tornBefore = disk.TornTail;
                    tornOnDisk += disk.TornTail ? 1 : 0;
                    pointsOnDisk = disk.UnretiredPoints;
                    log.Add(string.Create(CultureInfo.InvariantCulture, $"run {run}: killed {wait.TotalMilliseconds:0} ms after opening (recovered {opened.RecoveredPoints}), {durable} durable; on disk {disk.Files.Count} file(s), {disk.Records.Count} record(s){torn}"));
                }
            }

            TimeSpan killing = clock.Elapsed;
            FaultStreamPlan drain = Plan(carbon, spool, Runs, first) with { Steps = 0 };
            await using RunningProcess last = SpoolScenario.StartDriver(drain);
            ProcessRunner.Result exit = await last.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(exit.ExitCode == 0, $"the draining run did not deliver: {last}");
            IReadOnlyDictionary<string, System.Text.Json.JsonElement> summary = SpoolScenario.Summary(exit);
            tornReported += summary["spoolTornTails"].GetInt32();
            Assert.Equal(tornOnDisk, tornReported);
            Assert.Equal(0, summary["spoolQuarantinedFiles"].GetInt32());

            // Every point each run sent or could have sent; those never sent (after the kill) are missing, so the wait
            // ends once whisper has settled and carbon's cache is empty.
            var expected = runs.SelectMany(r => FaultScenario.Expected(r.Plan)).ToList();
            StoredPointsReport report = await carbon.WaitForAllStoredAsync(expected, TimeSpan.FromSeconds(90), FaultScenario.Ct);
            var failures = new List<string>();
            Assert.True(report.Series.All(s => s.WrongValue == 0), $"points stored with another value: {report}");
            var lost = report.Series.ToDictionary(s => s.Metric, s => s.LostRanges);
            long durableTotal = 0, storedTotal = 0;
            foreach ((FaultStreamPlan plan, long durable) in runs)
            {
                long stored = CheckPrefix(plan, lost, failures);
                durableTotal += durable;
                storedTotal += Math.Max(stored, 0);
                if (stored >= 0 && stored < durable)
                {
                    failures.Add($"{plan.Prefix}: {durable} points reported durable before the kill, only the first {stored} stored");
                }
            }

            string outcome = string.Create(CultureInfo.InvariantCulture, $"{kills} kills in {killing.TotalSeconds:0.0} s; {durableTotal} points reported durable, {storedTotal} stored; torn tails on disk {tornOnDisk}, reported {tornReported}; report: {report.ToString().Split('\n')[0]}");
            TestContext.Current.SendDiagnosticMessage($"random kills: {outcome}");
            Assert.True(failures.Count == 0, $"{string.Join('\n', failures)}\n{outcome}\n{string.Join('\n', log)}");
            Assert.True(durableTotal > Runs * 1_000, $"the runs made too few points durable to prove anything: {outcome}");
            Assert.True(kills >= MinKills, $"fewer than {MinKills} kills: {outcome}\n{string.Join('\n', log)}");
            Assert.True(tornOnDisk >= Runs / 4 / 2, $"too few torn tails on disk to prove their recovery: {outcome}\n{string.Join('\n', log)}");
            for (int run = 3; run < Runs; run += 4)
            {
                Assert.Empty(await carbon.ReadPointsAsync(TornMetric(run))); // a torn record is never sent
            }
            Assert.Empty(SpoolRecords.Read(spool).Files);
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\n{string.Join('\n', log)}", ex);
        }
        finally
        {
            SpoolScenario.DeleteDirectory(spool);
        }
    }

    private static string TornMetric(int run) => string.Create(CultureInfo.InvariantCulture, $"spool.kill.torn.r{run:D2}");

    /// <summary>Appends the header and half the payload of record <paramref name="sequence"/> to <paramref name="file"/>: what a kill in the middle of an append leaves.</summary>
    private static void AppendTornRecord(string file, long sequence, int run, long first)
    {
        var lines = new System.Text.StringBuilder();
        for (int i = 0; i < 200; i++)
        {
            lines.Append(CultureInfo.InvariantCulture, $"{TornMetric(run)} {i}.5 {first + i}\n");
        }

        byte[] record = SpoolRecords.Encode(sequence, 200, System.Text.Encoding.ASCII.GetBytes(lines.ToString()));
        using FileStream stream = new(file, FileMode.Append, FileAccess.Write);
        stream.Write(record, 0, record.Length / 2);
    }

    private static FaultStreamPlan Plan(CarbonCacheServer carbon, string spool, int run, long first) =>
        new("127.0.0.1", carbon.LinePort, "plaintext", string.Create(CultureInfo.InvariantCulture, $"spool.kill.r{run:D2}"), Metrics, Steps, PointsPerSecond, first)
        {
            LazyConnect = true,
            SpoolDirectory = spool,
            SpoolFileBytes = 64 << 10,
            BatchSizeBytes = 16 << 10,
            ReplayWindow = TimeSpan.FromMilliseconds(300),
        };

    /// <summary>
    /// The run's stored points in the order it sent them (step by step, series by series) must be a prefix: returns its
    /// length, or -1 after adding a failure when a point is stored after one that is missing.
    /// </summary>
    private static long CheckPrefix(FaultStreamPlan plan, Dictionary<string, IReadOnlyList<(long First, long Last)>> lost, List<string> failures)
    {
        var missing = new HashSet<(int Series, long Timestamp)>();
        for (int m = 0; m < plan.Metrics; m++)
        {
            foreach ((long from, long to) in lost[plan.Metric(m)])
            {
                for (long t = from; t <= to; t++)
                {
                    missing.Add((m, t));
                }
            }
        }

        long prefix = -1;
        for (int step = 0; step < plan.Steps; step++)
        {
            for (int m = 0; m < plan.Metrics; m++)
            {
                long index = ((long)step * plan.Metrics) + m;
                bool stored = !missing.Contains((m, plan.FirstTimestamp + step));
                if (!stored && prefix < 0)
                {
                    prefix = index;
                }
                else if (stored && prefix >= 0)
                {
                    failures.Add($"{plan.Prefix}: a hole in the order: point {prefix} (series {prefix % plan.Metrics}, step {prefix / plan.Metrics}) is missing but point {index} (series {m}, step {step}) is stored");
                    return -1;
                }
            }
        }

        return prefix < 0 ? plan.Points : prefix;
    }
}
