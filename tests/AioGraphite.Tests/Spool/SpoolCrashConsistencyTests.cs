using System.Diagnostics;
using System.Text;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using AioGraphite.Tests.Support;
using Xunit;

namespace AioGraphite.Tests.Spool;

/// <summary>
/// The spool against power loss at every step (in the manner of ALICE, OSDI 2014, and SQLite's crash tests): a workload of
/// appends, syncs, rotations, retirements with checkpoints, a failed write that seals a file, a failed sync (fsyncgate),
/// clean reopens and a quarantine runs on a <see cref="CrashingFileSystem"/>, which loses power after operation k, for
/// every k; each disk a POSIX file system may leave (<see cref="CrashState"/>) is recovered, crashed again during and
/// after that recovery, and recovered again. Every time: every record whose sync returned is there exactly once, with
/// its bytes (unless retired), and nothing else but records that were appended, with theirs, in rising sequence.
/// </summary>
public sealed class SpoolCrashConsistencyTests
{
    private const string Root = "/crash-test";
    private const long FileBytes = 400; // 2 to 5 records a file: many rotations
    private const int Steps = 140;

    private static readonly (CrashState State, int Seed)[] States =
    [
        (CrashState.LoseAll, 0), (CrashState.KeepAll, 0), (CrashState.TornLast, 1), (CrashState.Reordered, 2), (CrashState.Reordered, 3),
    ];

    [Fact]
    public void PowerLostAfterEveryOperation_RecoveryKeepsEverySyncedRecordExactlyOnce_AndNothingElse()
    {
        var clock = Stopwatch.StartNew();

        // The whole story once, without a crash: how many operations it takes.
        var full = new CrashingFileSystem();
        var story = new Story();
        Run(full, story);
        int operations = full.Operations;
        Assert.True(operations >= 300, $"the workload is too small to prove much: {operations} operations");
        Assert.True(story.FailedSyncs == 1 && story.FailedAppends == 1 && story.Quarantined >= 1 && story.Reopens >= 2, story.ToString());

        int images = 0;
        for (int k = 1; k <= operations; k++)
        {
            // The same story again, the power lost after operation k.
            var fs = new CrashingFileSystem { CrashAfter = k };
            var before = new Story();
            try
            {
                Run(fs, before);
            }
            catch (PowerLostException)
            {
                // the process died with the power
            }

            Assert.True(fs.Crashed);
            foreach ((CrashState state, int seed) in States)
            {
                string where = $"power lost after operation {fs.Log[k - 1]} ({state}, seed {seed}; the workload did: {string.Join("; ", fs.Log.TakeLast(12))})";
                images += RecoverAndCrashAgain(() => fs.Crash(state, (k * 31) + seed), before, where, seed);
            }
        }

        Assert.True(images >= operations * States.Length * 2, $"{images} disks recovered");
        TestContext.Current.TestOutputHelper?.WriteLine($"{operations} crash points x {States.Length} crash states; {images} disks recovered in {clock.ElapsedMilliseconds} ms");
    }

    /// <summary>
    /// Recovers the disk <paramref name="image"/> makes; then, on a fresh copy of it, loses power again after each operation of
    /// that recovery and once after it, and recovers what that leaves. Returns how many disks were recovered.
    /// </summary>
    private static int RecoverAndCrashAgain(Func<CrashingFileSystem> image, Story story, string where, int seed)
    {
        CrashingFileSystem disk = image();
        Recover(disk, story, where);
        where += $", its recovery did: {string.Join("; ", disk.Log)}";
        int recoveryOperations = disk.Operations;
        Recover(disk.Crash(seed % 2 == 0 ? CrashState.LoseAll : CrashState.Reordered, seed), story, $"{where}, then again after its recovery");
        int recovered = 2;
        for (int j = 1; j <= recoveryOperations; j++)
        {
            CrashingFileSystem again = image();
            again.CrashAfter = j;
            try
            {
                Recover(again, story, where);
            }
            catch (PowerLostException)
            {
                // the recovering process died with the power
            }

            Assert.True(again.Crashed);
            foreach (CrashState state in (CrashState[])[CrashState.LoseAll, CrashState.Reordered])
            {
                Recover(again.Crash(state, seed + j), story, $"{where}, then again after operation {again.Log[j - 1]} of its recovery ({state})");
                recovered++;
            }
        }

        return recovered;
    }

    /// <summary>Opens the spool on <paramref name="disk"/> (it must open) and checks what it recovers against <paramref name="story"/>.</summary>
    private static void Recover(CrashingFileSystem disk, Story story, string where)
    {
        DestinationSpool spool;
        SpoolRecovery recovery;
        try
        {
            spool = Open(disk, out recovery);
        }
        catch (Exception ex) when (ex is not PowerLostException)
        {
            throw new Xunit.Sdk.XunitException($"{where}: recovery failed: {ex.Message}\n{string.Join('\n', disk.Log)}", ex);
        }

        using (spool)
        {
            try
            {
                story.Check(spool, recovery, where);
            }
            catch (Exception ex) when (ex is not PowerLostException)
            {
                throw new Xunit.Sdk.XunitException($"{ex.Message}\nthe recovery did: {string.Join("; ", disk.Log)}\nfiles after it: {string.Join(", ", disk.Files().Select(Path.GetFileName))}", ex);
            }
        }
    }

    private static DestinationSpool Open(CrashingFileSystem fs, out SpoolRecovery recovery) =>
        DestinationSpool.Open(Root, "carbon.example", 2003, SpoolFormat.Plaintext, 1L << 30, FileBytes, out recovery, fs);

    /// <summary>
    /// The workload (deterministic): appends of 1 to 3 records, syncs, retirements (with and without the checkpoint), a write
    /// that fails half-way whose cut fails too (the file is sealed; the next reopen quarantines it), a sync that fails
    /// (fsyncgate), and two clean reopens. Throws <see cref="PowerLostException"/> when the power goes.
    /// </summary>
    private static void Run(CrashingFileSystem fs, Story story)
    {
        var random = new Random(20261207);
        bool failWrite = false, failCut = false, failSync = false, afterFailedSync = false;
        string? lastCreated = null;
        fs.Fault = (_, kind, path) =>
        {
            switch (kind)
            {
                case "create":
                    lastCreated = path;
                    return false;
                case "write" when failWrite:
                    failWrite = false;
                    failCut = true;
                    return true;
                case "set-length" when failCut:
                    failCut = false;
                    return true;
                case "sync" when failSync && path == lastCreated:
                    failSync = false;
                    return true;
                default:
                    return false;
            }
        };

        DestinationSpool spool = Open(fs, out SpoolRecovery first);
        story.Check(spool, first, "the first open");
        long next = first.HighestSequence + 1;
        try
        {
            for (int step = 0; step < Steps; step++)
            {
                if (step is 50 or 110)
                {
                    // A new process: it vouches only for its own appends (what the last one left unsynced stays unvouched).
                    spool.Dispose();
                    story.Unsynced.Clear();
                    spool = Open(fs, out SpoolRecovery recovery);
                    story.Reopens++;
                    story.Quarantined += recovery.QuarantinedFiles;
                    story.Check(spool, recovery, $"the reopen at step {step}");
                    next = Math.Max(next, recovery.HighestSequence + 1);
                    continue;
                }

                failWrite = step == 30;
                int action = step is 30 or 31 ? 0 : afterFailedSync ? 4 : random.Next(10); // 4: append and sync
                bool fitsAfterFailedSync = afterFailedSync;
                afterFailedSync = false;
                if (action <= 5)
                {
                    int before = fs.Log.Count;
                    Append(spool, story, ref next, fitsAfterFailedSync ? 1 : 1 + random.Next(3));
                    if (step >= 80 && story.FailedSyncs == 0 && fs.Log.Skip(before).Any(op => op.Contains(" create ", StringComparison.Ordinal) && op.EndsWith(".spool", StringComparison.Ordinal)))
                    {
                        // The append started a file: its sync fails (fsyncgate), and the next append, which fits in the
                        // same file, is synced at the next step (where a later fsync "succeeds" over pages the failed one dropped).
                        failSync = afterFailedSync = true;
                        action = 4;
                    }
                }

                if (action is 4 or 5 or 6 or 9)
                {
                    Sync(spool, story);
                }
                else if (action is 7 or 8 && story.Highest > story.Retired)
                {
                    long through = story.Retired + 1 + random.Next((int)(story.Highest - story.Retired));
                    story.Retired = through; // carbon consumed them: from here they may go whenever
                    spool.RetireThrough(through, writeCheckpoint: action == 7);
                    story.Checkpointed = action == 7 ? through : story.Checkpointed; // "durable when this returns"
                }
            }
        }
        finally
        {
            if (!fs.Crashed)
            {
                spool.Dispose();
            }
        }
    }

    private static void Append(DestinationSpool spool, Story story, ref long next, int records)
    {
        var batch = new List<Segment>();
        for (int i = 0; i < records; i++)
        {
            long sequence = next++;
            int points = 1 + (int)(sequence % 3);
            var text = new StringBuilder();
            for (int p = 0; p < points; p++)
            {
                text.Append("crash.r").Append(sequence).Append(".p").Append(p).Append(' ').Append((sequence * 7) + p).Append(" 1700000000\n");
            }

            byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());
            var segment = new Segment(bytes.Length) { Points = points, Sequence = sequence, Length = bytes.Length };
            bytes.CopyTo(segment.Buffer, 0);
            batch.Add(segment);
        }

        foreach (Segment s in batch)
        {
            // Known before the append: one cut short by the crash, or refused (a short write), may still have left whole
            // records on disk, which a crash can bring back. They are the batch's own bytes, never vouched for.
            story.Appended[s.Sequence] = (s.Buffer[..s.Length], s.Points);
        }

        bool appended = spool.TryAppend(batch, [], out _);
        if (appended)
        {
            story.Unsynced.AddRange(batch.Select(s => s.Sequence));
        }

        story.FailedAppends += appended ? 0 : 1;
    }

    private static void Sync(DestinationSpool spool, Story story)
    {
        try
        {
            spool.Sync();
        }
        catch (IOException)
        {
            // The rule: a failed sync vouches for nothing appended since the last good one, and neither does any later sync.
            story.FailedSyncs++;
            story.Unsynced.Clear();
            return;
        }

        story.Synced.UnionWith(story.Unsynced);
        story.Unsynced.Clear();
    }

    /// <summary>What the workload did and was told, up to the crash.</summary>
    private sealed class Story
    {
        private readonly Segment _read = new(1 << 12);

        /// <summary>Every record appended: its payload and points, by sequence.</summary>
        public Dictionary<long, (byte[] Payload, int Points)> Appended { get; } = [];

        /// <summary>Records a successful sync vouched for.</summary>
        public HashSet<long> Synced { get; } = [];

        /// <summary>Records appended since the last sync.</summary>
        public List<long> Unsynced { get; } = [];

        /// <summary>The checkpoint last written (the call returned): no record at or below it may come back.</summary>
        public long Checkpointed { get; set; }

        /// <summary>Every record at or below it was consumed by carbon: it may be gone.</summary>
        public long Retired { get; set; }

        public long Highest => Appended.Count == 0 ? 0 : Appended.Keys.Max();

        public int FailedSyncs { get; set; }

        public int FailedAppends { get; set; }

        public int Quarantined { get; set; }

        public int Reopens { get; set; }

        public void Check(DestinationSpool spool, SpoolRecovery recovery, string where)
        {
            long previous = 0;
            var found = new HashSet<long>();
            foreach (SpoolLocation record in recovery.Records)
            {
                Assert.True(record.Sequence > previous, $"{where}: sequence {record.Sequence} after {previous}");
                Assert.True(record.Sequence > Checkpointed, $"{where}: record {record.Sequence} came back, though the checkpoint at {Checkpointed} was written");
                previous = record.Sequence;
                found.Add(record.Sequence);
                Assert.True(Appended.TryGetValue(record.Sequence, out var appended), $"{where}: record {record.Sequence} was never appended");
                Assert.True(spool.TryRead(record, _read), $"{where}: record {record.Sequence} does not read back");
                Assert.True(_read.Buffer.AsSpan(0, _read.Length).SequenceEqual(appended.Payload) && _read.Points == appended.Points, $"{where}: record {record.Sequence} recovered with other bytes");
            }

            Assert.True(recovery.HighestSequence >= previous, $"{where}: new records would reuse sequences");
            long[] missing = [.. Synced.Where(s => s > Retired && !found.Contains(s)).Order()];
            Assert.True(missing.Length == 0, $"{where}: synced records lost: {string.Join(", ", missing)} (retired through {Retired})");
        }

        public override string ToString() =>
            $"appended {Appended.Count}, synced {Synced.Count}, failed appends {FailedAppends}, failed syncs {FailedSyncs}, quarantined {Quarantined}, reopens {Reopens}";
    }
}
