using AioGraphite.Protocols;
using AioGraphite.Spool;
using AioGraphite.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Tests.Spool;

/// <summary>
/// The spool's sync rules on a whole client (in-memory carbon, fake clock, in-memory file system): a failed sync is never
/// counted as success (fsyncgate), and the sync interval holds under sustained load.
/// </summary>
public sealed class SpoolSyncRulesTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ListLoggerFactory _logs = new();

    private GraphiteClient Create(MemoryCarbon carbon, CrashingFileSystem fs) =>
        GraphiteClient.Create("memory", 2003, options: new GraphiteClientOptions
        {
            TimeProvider = _time,
            ConnectionFactory = _ => carbon,
            SpoolDirectory = "/sync-rules",
            SpoolFileSystem = fs,
            SpoolSyncInterval = Interval,
            BatchSizeBytes = 4096,
            FullBufferPolicy = FullBufferPolicy.DropNewest,
            LoggerFactory = _logs,
        });

    [Fact]
    public async Task FailedSync_ItsPointsAreNeverCountedAsSpooled_ALaterSyncVouchesOnlyForLaterPoints_AndAllAreDelivered()
    {
        // The first sync of a record file fails, as on Linux after a write-back error: its unsynced writes are dropped from
        // the disk (pages marked clean) though reads still see them, and the next fsync "succeeds".
        var fs = new CrashingFileSystem();
        int failed = 0;
        fs.Fault = (_, kind, path) => kind == "sync" && path.EndsWith(SpoolDirectoryLayout.FileExtension, StringComparison.Ordinal) && Interlocked.Exchange(ref failed, 1) == 0;
        var carbon = new MemoryCarbon(_time) { Reachable = false };
        GraphiteClient client = Create(carbon, fs);

        Datapoint[] first = TestPoints.Series("sync.fail.first", 100);
        await client.SendMultipleAsync(first, cancellationToken: Ct);
        await carbon.UntilAsync(() => client.Statistics.Spool.PointsNotDurable > 0, "the failed sync", _time, TimeSpan.FromMilliseconds(20));
        GraphiteSpoolStatistics afterFailure = client.Statistics.Spool;
        Assert.Equal(100, afterFailure.PointsNotDurable);
        Assert.Equal(0, afterFailure.PointsSpooled);
        Assert.Equal(0, afterFailure.Syncs);
        Assert.True(afterFailure.Errors >= 1);
        Assert.Contains(_logs.Entries, e => e.Id.Id == 35 && e.Id.Name == "SpoolSyncFailed" && e.Message.Contains("100 point(s)", StringComparison.Ordinal));

        // Points keep coming; once the spool resumes (5 s later) a sync succeeds: it vouches for the later points only.
        var later = new List<Datapoint>();
        await carbon.UntilAsync(
            () =>
            {
                var point = new Datapoint("sync.fail.later", later.Count, TestPoints.FirstTimestamp + later.Count);
                Assert.True(client.TrySend(point.Metric, point.Value, point.Timestamp));
                later.Add(point);
                return client.Statistics.Spool.Syncs > 0;
            },
            "a successful sync after the retry",
            _time,
            TimeSpan.FromMilliseconds(250));
        GraphiteSpoolStatistics afterSync = client.Statistics.Spool;
        Assert.Equal(100, afterSync.PointsNotDurable);
        Assert.InRange(afterSync.PointsSpooled, 1, later.Count);

        // Every point counted as spooled is on the disk a power cut would leave (nothing unsynced survives).
        using (DestinationSpool durable = DestinationSpool.Open("/sync-rules", new GraphiteSpoolIdentity("memory", 2003, GraphiteTransport.Tcp, GraphiteSpoolIdentity.Plaintext, Tls: false), 1L << 30, 64 << 20, out SpoolRecovery recovery, fs.Crash(CrashState.LoseAll, 0)))
        {
            Assert.True(recovery.Points >= afterSync.PointsSpooled, $"{afterSync.PointsSpooled} points counted as spooled, {recovery.Points} on the disk after a power cut");
        }

        // Nothing is lost while the process runs: carbon gets every point, those whose sync failed included.
        carbon.Reachable = true;
        await carbon.UntilAsync(() => carbon.AllLines.Length >= first.Length + later.Count, "everything delivered", _time, TimeSpan.FromMilliseconds(250));
        string[] expected = [.. TestPoints.LinesOf(first), .. TestPoints.LinesOf([.. later])];
        Assert.Equal(expected.Order(StringComparer.Ordinal), carbon.AllLines.Order(StringComparer.Ordinal));
        await client.CloseAsync(TimeSpan.Zero).WaitAsync(TimeSpan.FromSeconds(20), Ct);
    }

    [Fact]
    public async Task SustainedLoad_SyncsAboutOncePerInterval_NeverStarved_NotOncePerBatch()
    {
        var fs = new CrashingFileSystem { Clock = _time };
        var carbon = new MemoryCarbon(_time) { Reachable = false }; // everything waits in the spool
        GraphiteClient client = Create(carbon, fs);
        TimeSpan tick = TimeSpan.FromMilliseconds(10);
        long tickTimestamps = (long)(tick.TotalSeconds * _time.TimestampFrequency);
        long intervalTimestamps = (long)(Interval.TotalSeconds * _time.TimestampFrequency);
        const int Intervals = 40;
        long start = _time.GetTimestamp();
        int sent = 0;
        for (int t = 0; t < Intervals * 10; t++)
        {
            // ~150 points a tick: more than a 4 KiB batch, so batches seal all the time (several per interval).
            for (int i = 0; i < 150; i++, sent++)
            {
                Assert.True(client.TrySend("sync.load", sent, TestPoints.FirstTimestamp + sent));
            }

            _time.Advance(tick);
            long[] syncs = fs.SyncTimes();
            long last = syncs.Length > 0 ? syncs[^1] : start;
            if (_time.GetTimestamp() - last >= intervalTimestamps + tickTimestamps)
            {
                // A sync is due: the clock moves on by 1 ms steps only until it comes (the writer thread may have set its
                // timer late, in fake time, while this loop ran ahead of it).
                int before = syncs.Length;
                await carbon.UntilAsync(() => fs.SyncTimes().Length > before, $"a sync after {t} ticks ({client.Statistics.Spool})", _time, TimeSpan.FromMilliseconds(1));
            }
        }

        long[] times = fs.SyncTimes();
        long[] gaps = [.. times.Zip(times.Skip(1), (a, b) => b - a)];
        string all = $"gaps between syncs in ms: {string.Join(' ', gaps.Select(g => g * 1000 / _time.TimestampFrequency))}";

        // Within the interval plus a batch or two (a batch fills in ~1 tick). A few gaps may be one interval longer: this
        // loop cannot see when the writer thread has set its next timer, and when that thread is descheduled (a loaded
        // machine) the fake clock runs ahead of it. A writer starved by the appends would miss many intervals in a row.
        Assert.True(gaps.Count(g => g > intervalTimestamps + (3 * tickTimestamps)) <= gaps.Length / 10, all);
        Assert.True(gaps.Max() <= (intervalTimestamps * 5) / 2, all);
        Assert.InRange(times.Length, Intervals * 7 / 10, (Intervals * 11 / 10) + 1);
        long batches = client.Statistics.Spool.Records;
        Assert.True(batches >= 3 * times.Length, $"{batches} batches, {times.Length} syncs: about one sync per batch");
        await client.CloseAsync(TimeSpan.Zero).WaitAsync(TimeSpan.FromSeconds(20), Ct);
    }
}
