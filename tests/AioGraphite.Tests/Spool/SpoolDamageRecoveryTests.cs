using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using AioGraphite.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Tests.Spool;

/// <summary>
/// Issue 16, item 3: damage in a spool file costs only the damaged records. Recovery sends the valid records after it,
/// keeps a copy of the file aside (<c>.corrupt</c>), counts, logs and shows what was skipped; copies count against
/// <c>SpoolMaxBytes</c> and are pruned oldest first, with a log line.
/// </summary>
public sealed class SpoolDamageRecoveryTests : IDisposable
{
    private readonly string _root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"aiographite-spool-damage-{Guid.NewGuid():N}")).FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private long _sequence;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private DestinationSpool Open(out SpoolRecovery recovery, long maxBytes = 1L << 30) =>
        DestinationSpool.Open(_root, "carbon.example", 2003, SpoolFormat.Plaintext, maxBytes, 64 << 10, out recovery);

    private Segment Lines(int count)
    {
        var text = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            text.Append("spool.damage ").Append(i).Append(" 1700000000\n");
        }

        byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());
        var s = new Segment(Math.Max(bytes.Length, 1024)) { Points = count, Sequence = ++_sequence };
        bytes.CopyTo(s.Buffer, 0);
        s.Length = bytes.Length;
        return s;
    }

    private static void Flip(string file, long at)
    {
        using FileStream f = new(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        f.Position = at;
        int b = f.ReadByte();
        f.Position = at;
        f.WriteByte((byte)(b ^ 0x01));
    }

    [Fact]
    public void DamageInTheMiddleOfAFile_CostsOnlyItsRecord_TheRecordsAfterItAreRecovered_AndACopyIsKeptAside()
    {
        var locations = new List<SpoolLocation>();
        using (DestinationSpool spool = Open(out _))
        {
            Assert.True(spool.TryAppend([Lines(3), Lines(4), Lines(5), Lines(6), Lines(7)], locations, out string? failure), failure);
            spool.Sync();
        }

        string file = locations[0].File.Path;
        Flip(file, locations[2].Offset + SpoolRecord.HeaderBytes + 7);
        byte[] asFound = File.ReadAllBytes(file);

        using (DestinationSpool spool = Open(out SpoolRecovery recovery))
        {
            Assert.Equal([1L, 2, 4, 5], recovery.Records.Select(r => r.Sequence));
            Assert.Equal(3 + 4 + 6 + 7, recovery.Points);
            Assert.Equal(0, recovery.TornTails); // damage before valid records is no torn tail
            SpoolFileDamage damaged = Assert.Single(recovery.Damaged);
            Assert.Equal((file, 1, 5L, SpoolRecord.HeaderBytes + (long)locations[2].PayloadLength), (damaged.Path, damaged.Records, damaged.Points, damaged.Bytes));
            Assert.Equal(file + ".corrupt", damaged.KeptAs);
            Assert.Equal(asFound, File.ReadAllBytes(file + ".corrupt"));
            Assert.Equal(asFound.Length, spool.QuarantinedBytes);
            Assert.Equal((1L, 5, 5L), (recovery.DamagedRecords, recovery.DamagedPoints, recovery.HighestSequence));

            var into = new Segment(1 << 20);
            Assert.True(spool.TryRead(recovery.Records[2], into)); // a record after the damage reads back whole
            Assert.Equal(6, into.Points);
        }

        // Not yet sent: the next start meets the same damage, says so again, and keeps the copy it has.
        using (DestinationSpool spool = Open(out SpoolRecovery again))
        {
            Assert.Equal([1L, 2, 4, 5], again.Records.Select(r => r.Sequence));
            Assert.Equal(file + ".corrupt", Assert.Single(again.Damaged).KeptAs);
            Assert.Equal(asFound.Length, spool.QuarantinedBytes);
            Assert.True(spool.TryAppend([Lines(2)], [], out _)); // appends go on after the last valid record
            spool.RetireThrough(6, writeCheckpoint: true);
        }

        Assert.False(File.Exists(file)); // sent and retired: the file goes as usual
        Assert.Equal(asFound, File.ReadAllBytes(file + ".corrupt")); // the copy stays for an operator
        using (DestinationSpool spool = Open(out SpoolRecovery empty))
        {
            Assert.Empty(empty.Records);
            Assert.Empty(empty.Damaged);
            Assert.Equal(asFound.Length, spool.QuarantinedBytes);
            var next = new List<SpoolLocation>();
            Assert.True(spool.TryAppend([Lines(2)], next, out _));
            Assert.NotEqual(file, next[0].File.Path); // a copy's number is not used again (its copy would not be made)
        }
    }

    [Fact]
    public void DamageInRetiredRecords_CostsNothing_AndIsNotReported()
    {
        var locations = new List<SpoolLocation>();
        using (DestinationSpool spool = Open(out _))
        {
            Assert.True(spool.TryAppend([Lines(3), Lines(4), Lines(5)], locations, out _));
            spool.RetireThrough(2, writeCheckpoint: true);
        }

        Flip(locations[0].File.Path, locations[0].Offset + SpoolRecord.HeaderBytes + 3);
        using DestinationSpool reopened = Open(out SpoolRecovery recovery);
        Assert.Equal([3L], recovery.Records.Select(r => r.Sequence));
        Assert.Empty(recovery.Damaged);
        Assert.False(File.Exists(locations[0].File.Path + ".corrupt"));
    }

    [Fact]
    public void CopiesOfDamagedFiles_CountAgainstSpoolMaxBytes_AndArePrunedOldestFirst_AtStartAndWhenAnAppendNeedsTheRoom()
    {
        var locations = new List<SpoolLocation>();
        using (DestinationSpool spool = Open(out _))
        {
            // Three records of ~50 KB: each file holds one (rotation at 64 KiB).
            Assert.True(spool.TryAppend([Lines(2000)], locations, out _));
            Assert.True(spool.TryAppend([Lines(2000)], locations, out _));
            Assert.True(spool.TryAppend([Lines(2000)], locations, out _));
        }

        string first = locations[0].File.Path, second = locations[1].File.Path;
        Flip(first, 100);
        Flip(second, 100);
        long live, quarantined;
        using (DestinationSpool spool = Open(out SpoolRecovery recovery))
        {
            Assert.Equal(2, recovery.QuarantinedFiles);
            Assert.Equal([3L], recovery.Records.Select(r => r.Sequence));
            live = spool.Bytes;
            quarantined = spool.QuarantinedBytes;
            Assert.Equal(new FileInfo(first + ".corrupt").Length + new FileInfo(second + ".corrupt").Length, quarantined);
            Assert.Empty(recovery.PrunedQuarantine);
        }

        // One byte short of the room for both copies: the older goes at start.
        long maxBytes = live + quarantined - 1;
        using (DestinationSpool spool = Open(out SpoolRecovery recovery, maxBytes))
        {
            Assert.Equal([(first + ".corrupt", new FileInfo(second + ".corrupt").Length)], recovery.PrunedQuarantine);
            Assert.False(File.Exists(first + ".corrupt"));
            Assert.True(File.Exists(second + ".corrupt"));
            Assert.True(spool.Bytes + spool.QuarantinedBytes <= maxBytes);

            // An append that only fits without the other copy: it goes too (a record has priority over a copy).
            var pruned = new List<(string, long)>();
            spool.QuarantinePruned = (path, bytes) => pruned.Add((path, bytes));
            Assert.True(spool.TryAppend([Lines(2000)], [], out string? failure), failure);
            Assert.Equal([second + ".corrupt"], pruned.Select(p => p.Item1));
            Assert.False(File.Exists(second + ".corrupt"));
            Assert.Equal(0, spool.QuarantinedBytes);

            // With no copy left to prune, the spool is full as before.
            Assert.False(spool.TryAppend([Lines(2000)], [], out failure));
            Assert.Contains("SpoolMaxBytes", failure, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Client_OnASpoolWithDamage_SendsEveryValidRecord_ShowsTheDamageInStatistics_AndLogsItOnceNamingTheFile()
    {
        var down = new MemoryCarbon(_time) { Reachable = false };
        GraphiteClient first = Client(down, null);
        Datapoint[] sent = TestPoints.Series("spool.damaged", 2_000);
        await first.SendMultipleAsync(sent, cancellationToken: Ct);
        await first.CloseAsync(TimeSpan.Zero);
        Assert.Equal(2_000, first.Statistics.Spool.PointsSpooled);

        string file = Assert.Single(Directory.GetFiles(_root, "*.spool", SearchOption.AllDirectories));
        SpoolScan before = SpoolScanner.Scan(SpoolFileSystem.Default, file, 0, SpoolFormat.Plaintext, lastFile: true);
        Assert.True(before.Records.Count >= 5, $"{before.Records.Count} records");
        ScannedRecord hit = before.Records[before.Records.Count / 2];
        Flip(file, hit.Offset + SpoolRecord.HeaderBytes + 5);

        // Other tests' clients report to meters of the same name: this test's destination has a port of its own.
        var events = new ConcurrentBag<(string Name, string? Kind, long Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "AioGraphite" && instrument.Name.StartsWith("aiographite.spool.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? kind = null;
            bool ours = false;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                kind = tag.Key == "kind" ? tag.Value as string : kind;
                ours |= tag.Key == "server.port" && Equals(tag.Value, DamagePort);
            }

            if (ours)
            {
                events.Add((instrument.Name, kind, value));
            }
        });
        listener.Start();

        using var logs = new ListLoggerFactory();
        var up = new MemoryCarbon(_time);
        GraphiteClient second = Client(up, logs);
        GraphiteSpoolStatistics spool = second.Statistics.Spool;
        listener.RecordObservableInstruments();
        long Event(string name, string? kind) => events.Where(e => e.Name == name && e.Kind == kind).Sum(e => e.Value);
        Assert.Equal(1, Event("aiographite.spool.events", "damaged_record"));
        Assert.Equal(hit.Points, Event("aiographite.spool.events", "damaged_points"));
        Assert.Equal(1, Event("aiographite.spool.events", "quarantined_file"));
        Assert.Equal(new FileInfo(file).Length, events.Where(e => e.Name == "aiographite.spool.quarantined_bytes").Select(e => e.Value).LastOrDefault());
        Assert.Equal((1L, hit.Bytes, (long)hit.Points), (spool.DamagedRecords, spool.DamagedBytes, spool.DamagedPoints));
        Assert.Equal(2_000 - hit.Points, spool.PointsRecovered);
        Assert.Equal(1, spool.QuarantinedFiles);
        Assert.Equal(new FileInfo(file).Length, spool.QuarantinedBytes);

        var damageLog = Assert.Single(logs.Entries, e => e.Id.Name == "SpoolDamaged");
        Assert.Equal(32, damageLog.Id.Id);
        Assert.Contains($"the file {file} has 1 damaged record(s) ({hit.Bytes} byte(s), {hit.Points} point(s)", damageLog.Message, StringComparison.Ordinal);
        Assert.Contains($"kept in {file}.corrupt", damageLog.Message, StringComparison.Ordinal);

        await second.WaitForDeliveryAsync(Ct);
        await second.CloseAsync();
        string[] expected = TestPoints.LinesOf(sent);
        Assert.Equal(2_000 - hit.Points, up.AllLines.Length);
        Assert.Equal(expected.Length - hit.Points, expected.Intersect(up.AllLines).Count()); // all others, none lost twice
        Assert.Equal(0, second.Statistics.PointsUndelivered);
    }

    [Fact]
    public async Task Client_PrunesTheOldestCopyOfADamagedFile_WhenTheSpoolIsOverSpoolMaxBytes_AndLogsItNamingTheFile()
    {
        var down = new MemoryCarbon(_time) { Reachable = false };
        GraphiteClient first = Client(down, null);
        await first.SendMultipleAsync(TestPoints.Series("spool.kept", 100), cancellationToken: Ct);
        await first.CloseAsync(TimeSpan.Zero);
        string directory = Path.GetDirectoryName(Assert.Single(Directory.GetFiles(_root, "*.spool", SearchOption.AllDirectories)))!;
        string older = Path.Combine(directory, "000000000000.spool.corrupt");
        string newer = Path.Combine(directory, "000000000001.spool.corrupt");
        File.WriteAllBytes(older, new byte[800 << 10]);
        File.WriteAllBytes(newer, new byte[300 << 10]);

        using var logs = new ListLoggerFactory();
        var up = new MemoryCarbon(_time);
        GraphiteClient second = Client(up, logs, maxBytes: 1L << 20);
        Assert.False(File.Exists(older));
        Assert.True(File.Exists(newer));
        Assert.Equal(300 << 10, second.Statistics.Spool.QuarantinedBytes);
        var pruned = Assert.Single(logs.Entries, e => e.Id.Name == "SpoolQuarantinePruned");
        Assert.Contains($"deleted {older} ({800 << 10} byte(s)), the oldest copy of a damaged spool file, to keep the spool within SpoolMaxBytes", pruned.Message, StringComparison.Ordinal);
        await second.WaitForDeliveryAsync(Ct);
        await second.CloseAsync();
        Assert.Equal(100, up.AllLines.Length);
    }

    private const int DamagePort = 2911;

    private GraphiteClient Client(MemoryCarbon carbon, ListLoggerFactory? logs, long maxBytes = 1L << 30) =>
        GraphiteClient.Create("memory", DamagePort, options: new GraphiteClientOptions
        {
            TimeProvider = _time,
            ConnectionFactory = _ => carbon,
            SpoolDirectory = _root,
            SpoolMaxBytes = maxBytes,
            BatchSizeBytes = 4096,
            FullBufferPolicy = FullBufferPolicy.DropNewest,
            LoggerFactory = logs,
        });
}
