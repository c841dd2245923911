using System.Text;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using AioGraphite.Tests.Support;
using Xunit;

namespace AioGraphite.Tests.Spool;

/// <summary><see cref="GraphiteSpool.Inspect"/> on spools written by <see cref="DestinationSpool"/>, and the start-up report of orphaned spools.</summary>
public sealed class GraphiteSpoolInspectTests : IDisposable
{
    private const long Base = 1_700_000_000;
    private static readonly GraphiteSpoolIdentity Carbon = new("memory", 2003, GraphiteTransport.Tcp, GraphiteSpoolIdentity.Plaintext, Tls: false);
    private readonly string _root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"aiographite-spool-inspect-{Guid.NewGuid():N}")).FullName;
    private long _sequence;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private DestinationSpool Open(GraphiteSpoolIdentity identity) => DestinationSpool.Open(_root, identity, 1L << 30, 64 << 10, out _);

    /// <summary>A plaintext record of <paramref name="count"/> points stamped <paramref name="from"/>, <paramref name="from"/>+1, ...</summary>
    private Segment Lines(int count, long from)
    {
        byte[] text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, count).Select(i => $"inspect.unit {i} {from + i}\n")));
        var segment = new Segment(text.Length) { Points = count, Sequence = ++_sequence, Length = text.Length };
        text.CopyTo(segment.Buffer, 0);
        return segment;
    }

    private Segment Raw(byte[] payload, int points)
    {
        var segment = new Segment(payload.Length) { Points = points, Sequence = ++_sequence, Length = payload.Length };
        payload.CopyTo(segment.Buffer, 0);
        return segment;
    }

    /// <summary>Leaves <paramref name="segments"/> in the spool of <paramref name="identity"/>, records up to <paramref name="retired"/> retired (checkpointed).</summary>
    private string Leave(GraphiteSpoolIdentity identity, IReadOnlyList<Segment> segments, long retired = 0)
    {
        using DestinationSpool spool = Open(identity);
        Assert.True(spool.TryAppend(segments, [], out string? failure), failure);
        spool.Sync();
        if (retired > 0)
        {
            spool.RetireThrough(retired, writeCheckpoint: true);
        }

        return spool.Directory;
    }

    /// <summary>Every file under the root with its bytes (a held lock file: its length) and last write time.</summary>
    private Dictionary<string, (string Bytes, DateTime Written)> Snapshot() =>
        Directory.EnumerateFileSystemEntries(_root, "*", SearchOption.AllDirectories).ToDictionary(
            p => p,
            p => (Path.GetFileName(p) == SpoolDirectoryLayout.LockName ? $"{new FileInfo(p).Length} bytes" : File.Exists(p) ? Convert.ToBase64String(File.ReadAllBytes(p)) : "dir", File.GetLastWriteTimeUtc(p)));

    [Fact]
    public void Inspect_CountsWhatWaitsAfterTheCheckpoint_WithItsOldestAndNewestTimestamp()
    {
        string directory = Leave(Carbon, [Lines(3, Base), Lines(4, Base + 100), Lines(5, Base + 200)], retired: 1);

        GraphiteSpoolReport report = GraphiteSpool.Inspect(_root);

        GraphiteSpoolDestinationReport d = Assert.Single(report.Destinations);
        Assert.Equal(directory, d.Directory);
        Assert.Equal(Carbon, d.Identity);
        Assert.False(d.IdentityInferred);
        Assert.Equal(9, d.Points);
        Assert.Equal(2, d.Records);
        Assert.Equal(1, d.Files);
        Assert.Equal(d.FileBytes - SpoolRecord.HeaderBytes - Encoding.ASCII.GetByteCount(string.Concat(Enumerable.Range(0, 3).Select(i => $"inspect.unit {i} {Base + i}\n"))), d.Bytes);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(Base + 100), d.OldestTimestamp);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(Base + 204), d.NewestTimestamp);
        Assert.Empty(d.Damage);
        Assert.False(report.HasDamage);
        Assert.False(d.IsLocked);
        Assert.Equal(9, report.Points);
    }

    [Fact]
    public void Inspect_PickleRecords_ReadsTheirTimestamps()
    {
        var pickle = Carbon with { Port = 2004, Protocol = GraphiteSpoolIdentity.Pickle };
        long[] stamps = [5, 300, 70_000, Base, 3_000_000_000]; // BININT1, BININT2, BININT, BININT, LONG1
        byte[] frame = new PickleProtocol().GenerateMessage([.. stamps.Select((t, i) => new Datapoint($"inspect.pickle.{i}", i * 1.5, t))]);
        using (DestinationSpool spool = DestinationSpool.Open(_root, pickle, 1L << 30, 64 << 10, out _))
        {
            Assert.True(spool.TryAppend([Raw(frame, stamps.Length)], [], out string? failure), failure);
            spool.Sync();
        }

        GraphiteSpoolDestinationReport d = Assert.Single(GraphiteSpool.Inspect(_root, verify: true).Destinations);

        Assert.Equal(5, d.Points);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(5), d.OldestTimestamp);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(3_000_000_000), d.NewestTimestamp);
        Assert.Empty(d.Damage);
    }

    [Fact]
    public void Inspect_WhileAClientHoldsTheSpool_NamesTheHolder_AndChangesNothing()
    {
        using DestinationSpool held = Open(Carbon);
        Assert.True(held.TryAppend([Lines(2, Base), Lines(2, Base + 10)], [], out string? failure), failure);
        held.Sync();
        byte[] record = File.ReadAllBytes(Path.Combine(held.Directory, SpoolFile.NameFor(1)));
        record[SpoolRecord.HeaderBytes + 3] ^= 0x20; // damage to report, so that every reading path runs
        File.WriteAllBytes(Path.Combine(held.Directory, "000000000001.spool.corrupt"), record);
        var before = Snapshot();
        Thread.Sleep(20); // a write now would show in the last write times

        GraphiteSpoolDestinationReport d = Assert.Single(GraphiteSpool.Inspect(_root, verify: true).Destinations);

        Assert.True(d.IsLocked);
        Assert.Contains($"process {Environment.ProcessId} ", d.LockHolder, StringComparison.Ordinal);
        Assert.Equal(4, d.Points);
        GraphiteSpoolDamage quarantined = Assert.Single(d.Damage);
        Assert.Equal(("000000000001.spool.corrupt", GraphiteSpoolDamage.Quarantined, (long)record.Length), (quarantined.File, quarantined.Kind, quarantined.Bytes));
        Assert.Equal(before, Snapshot());

        held.Dispose(); // its records stay, and the lock is free once the holder lets go
        Assert.False(Assert.Single(GraphiteSpool.Inspect(_root).Destinations).IsLocked);
    }

    [Fact]
    public void Inspect_ADamagedRecord_IsReportedWithItsFile_AndTheRecordsAroundItStillCount()
    {
        string directory = Leave(Carbon, [Lines(3, Base), Lines(4, Base + 100), Lines(5, Base + 200)]);
        string path = Path.Combine(directory, SpoolFile.NameFor(1));
        byte[] bytes = File.ReadAllBytes(path);
        int second = SpoolRecord.HeaderBytes + Encoding.ASCII.GetByteCount(string.Concat(Enumerable.Range(0, 3).Select(i => $"inspect.unit {i} {Base + i}\n")));
        bytes[second + SpoolRecord.HeaderBytes + 5] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        GraphiteSpoolReport report = GraphiteSpool.Inspect(_root);

        GraphiteSpoolDestinationReport d = Assert.Single(report.Destinations);
        Assert.Equal(8, d.Points);
        GraphiteSpoolDamage damage = Assert.Single(d.Damage);
        Assert.Equal((SpoolFile.NameFor(1), GraphiteSpoolDamage.Damaged, (long)second, 1, (long?)4), (damage.File, damage.Kind, damage.Offset, damage.Records, damage.Points));
        Assert.Contains("checksum", damage.Reason, StringComparison.Ordinal);
        Assert.True(report.HasDamage);
    }

    [Fact]
    public void Inspect_LegacyDirectoryWithoutIdentity_InfersItFromTheName()
    {
        string directory = Leave(Carbon, [Lines(2, Base)]);
        File.Delete(Path.Combine(directory, SpoolIdentityFile.Name));

        GraphiteSpoolDestinationReport d = Assert.Single(GraphiteSpool.Inspect(directory).Destinations); // a destination directory itself

        Assert.Equal(Carbon, d.Identity);
        Assert.True(d.IdentityInferred);
        Assert.Equal(2, d.Points);
        Assert.False(File.Exists(Path.Combine(directory, SpoolIdentityFile.Name))); // inspecting writes none
    }

    [Fact]
    public void Verify_APayloadThatPassesItsChecksumButIsNotPoints_IsDamage_StatusDoesNotParseRetiredOnes()
    {
        Leave(Carbon, [Raw("not a carbon line"u8.ToArray(), points: 1), Lines(2, Base)], retired: 1);

        Assert.Empty(Assert.Single(GraphiteSpool.Inspect(_root).Destinations).Damage);
        GraphiteSpoolDamage damage = Assert.Single(Assert.Single(GraphiteSpool.Inspect(_root, verify: true).Destinations).Damage);

        Assert.Equal((GraphiteSpoolDamage.Damaged, 0L), (damage.Kind, damage.Offset));
        Assert.Contains("record 1 passes its checksum", damage.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_ADirectoryRenamedByHand_IsForeign_AndSaysWhichNameItsIdentityGives()
    {
        string directory = Leave(Carbon, [Lines(2, Base)]);
        string renamed = Path.Combine(_root, "memory_tcp_2999_plaintext");
        Directory.Move(directory, renamed);

        GraphiteSpoolDestinationReport d = Assert.Single(GraphiteSpool.Inspect(_root).Destinations);

        Assert.Equal(renamed, d.Directory);
        Assert.True(d.Foreign);
        Assert.Equal("memory_tcp_2003_plaintext", d.ExpectedName);
        Assert.Equal(Carbon, d.Identity);
    }

    [Fact]
    public void Inspect_ADirectoryWhereItsIdentityPutsIt_IsNotForeign()
    {
        Leave(Carbon, [Lines(2, Base)]);

        GraphiteSpoolDestinationReport d = Assert.Single(GraphiteSpool.Inspect(_root).Destinations);

        Assert.False(d.Foreign);
        Assert.Equal("memory_tcp_2003_plaintext", d.ExpectedName);
    }

    [Fact]
    public void Inspect_AMissingDirectory_ThrowsNamingIt()
    {
        string missing = Path.Combine(_root, "nowhere");

        var ex = Assert.Throws<GraphiteException>(() => GraphiteSpool.Inspect(missing));

        Assert.Contains($"'{missing}' does not exist", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task Create_OnASpoolWhoseDestinationMoved_ReportsTheOrphanedPoints_WithoutTouchingThem()
    {
        string orphan = Leave(Carbon, [Lines(3, Base), Lines(4, Base + 100)], retired: 0);
        Leave(Carbon with { Port = 2010 }, [Lines(1, Base)]);
        File.Delete(Path.Combine(Directory.GetParent(orphan)!.FullName, "memory_tcp_2010_plaintext", SpoolIdentityFile.Name)); // a legacy one
        var before = Snapshot();
        var logs = new ListLoggerFactory();
        var carbon = new MemoryCarbon(TimeProvider.System);

        GraphiteClient client = GraphiteClient.Create("memory", 2004, options: new GraphiteClientOptions // the port changed: 2003 -> 2004
        {
            ConnectionFactory = _ => carbon,
            SpoolDirectory = _root,
            LoggerFactory = logs,
        });
        await client.DisposeAsync();

        string[] warnings = [.. logs.Entries.Where(e => e.Id.Name == "SpoolOrphaned").Select(e => e.Message)];
        Assert.Equal(2, warnings.Length);
        Assert.Equal($"Spool directory {orphan} holds 7 point(s) ({Leftover(orphan)} bytes, oldest 2023-11-14 22:13:20 UTC) for memory:2003 plaintext over tcp, a destination this client does not send to: they are not sent. Send them with 'aiographite spool drain {orphan}' (or move the directory away)", warnings[0]);
        Assert.Contains("holds 1 point(s)", warnings[1], StringComparison.Ordinal);
        Assert.Contains("for memory:2010 plaintext over tcp (from its name)", warnings[1], StringComparison.Ordinal);
        Assert.Equal(before, Snapshot().Where(e => before.ContainsKey(e.Key)).ToDictionary());
        Assert.Equal(40, logs.Entries.First(e => e.Id.Name == "SpoolOrphaned").Id.Id);
    }

    [Fact]
    public async Task Create_OnASpoolWithOnlyItsOwnDestination_ReportsNoOrphan()
    {
        Leave(Carbon, [Lines(3, Base)]);
        var logs = new ListLoggerFactory();
        var carbon = new MemoryCarbon(TimeProvider.System);

        GraphiteClient client = GraphiteClient.Create("memory", 2003, options: new GraphiteClientOptions { ConnectionFactory = _ => carbon, SpoolDirectory = _root, LoggerFactory = logs });
        await client.DisposeAsync();

        Assert.Equal(0, logs.Count("SpoolOrphaned"));
        Assert.Equal(1, logs.Count("SpoolRecovered"));
    }

    private static long Leftover(string directory) => new FileInfo(Path.Combine(directory, SpoolFile.NameFor(1))).Length;
}
