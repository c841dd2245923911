using System.Text;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using Xunit;

namespace AioGraphite.Tests.Spool;

/// <summary>The spool's files on a real file system: records, recovery, torn tails, quarantine, retirement, the lock.</summary>
public sealed class DestinationSpoolTests : IDisposable
{
    private readonly string _root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"aiographite-spool-unit-{Guid.NewGuid():N}")).FullName;
    private long _sequence;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private DestinationSpool Open(out SpoolRecovery recovery, long fileBytes = 64 << 10) =>
        DestinationSpool.Open(_root, "carbon.example", 2003, SpoolFormat.Plaintext, 1L << 30, fileBytes, out recovery);

    private Segment Lines(int count, string name = "spool.unit")
    {
        var text = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            text.Append(name).Append(' ').Append(i).Append(" 1700000000\n");
        }

        byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());
        var s = new Segment(Math.Max(bytes.Length, 1024)) { Points = count, Sequence = ++_sequence };
        bytes.CopyTo(s.Buffer, 0);
        s.Length = bytes.Length;
        return s;
    }

    private static string Text(DestinationSpool spool, in SpoolLocation record)
    {
        var into = new Segment(1 << 20);
        Assert.True(spool.TryRead(record, into));
        return Encoding.ASCII.GetString(into.Buffer, 0, into.Length);
    }

    [Fact]
    public void Crc32C_MatchesTheStandardCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Append(0, "123456789"u8));

    [Fact]
    public void Append_ThenReopen_RecoversEveryRecordInOrder_AndNewSequencesContinue()
    {
        Segment[] written = [Lines(3), Lines(5), Lines(7)];
        using (DestinationSpool spool = Open(out SpoolRecovery empty))
        {
            Assert.Empty(empty.Records);
            Assert.True(spool.TryAppend(written, [], out string? failure), failure);
            spool.Sync();
        }

        using (DestinationSpool spool = Open(out SpoolRecovery recovery))
        {
            Assert.Equal([1L, 2, 3], recovery.Records.Select(r => r.Sequence));
            Assert.Equal(15, recovery.Points);
            Assert.Equal(3, recovery.HighestSequence);
            Assert.Equal(Encoding.ASCII.GetString(written[1].Buffer, 0, written[1].Length), Text(spool, recovery.Records[1]));
            Assert.Equal(0, recovery.TornTails);
        }
    }

    [Fact]
    public void TryRead_RefusesARecordWhoseBytesChangedOnDisk_OrThatIsNotWhereItsLocationSays()
    {
        using DestinationSpool spool = Open(out _);
        var locations = new List<SpoolLocation>();
        Segment[] written = [Lines(3), Lines(4)];
        Assert.True(spool.TryAppend(written, locations, out string? failure), failure);
        Assert.Equal(Encoding.ASCII.GetString(written[0].Buffer, 0, written[0].Length), Text(spool, locations[0]));

        var into = new Segment(1 << 20);
        Assert.False(spool.TryRead(locations[1] with { Sequence = 7 }, into)); // another record than the one asked for
        Assert.False(spool.TryRead(locations[0] with { PayloadLength = locations[0].PayloadLength - 1 }, into));
        Assert.False(spool.TryRead(locations[0], new Segment(8))); // no room for the payload

        using (FileStream f = new(locations[1].File.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            f.Position = locations[1].Offset + SpoolRecord.HeaderBytes + 2;
            f.WriteByte((byte)'#'); // the disk changed a payload byte after the append
        }

        Assert.False(spool.TryRead(locations[1], into));
        Assert.True(spool.TryRead(locations[0], into)); // the other record is untouched
    }

    [Fact]
    public void TornTail_IsCutOffAndCounted_TheWholeRecordsBeforeItSurvive()
    {
        string file;
        using (DestinationSpool spool = Open(out _))
        {
            var locations = new List<SpoolLocation>();
            Assert.True(spool.TryAppend([Lines(3), Lines(4)], locations, out _));
            file = locations[1].File.Path;
        }

        long length = new FileInfo(file).Length;
        using (FileStream f = File.OpenWrite(file))
        {
            f.SetLength(length - 10); // the crash cut the last record short
        }

        using (DestinationSpool spool = Open(out SpoolRecovery recovery))
        {
            Assert.Equal(1, recovery.TornTails);
            Assert.Equal([1L], recovery.Records.Select(r => r.Sequence));
            Assert.True(spool.TryAppend([Lines(2)], [], out _)); // appends go on after the cut
        }

        using (DestinationSpool spool = Open(out SpoolRecovery again))
        {
            Assert.Equal(0, again.TornTails);
            Assert.Equal([1L, 3], again.Records.Select(r => r.Sequence));
        }
    }

    [Fact]
    public void CorruptFile_IsQuarantined_ItsRecordsBeforeTheDamageAreStillSent_AndTheNextFilesToo()
    {
        var locations = new List<SpoolLocation>();
        using (DestinationSpool spool = Open(out _, fileBytes: 64 << 10))
        {
            // Three records of ~50 KB: each file holds one (rotation at 64 KiB).
            Assert.True(spool.TryAppend([Lines(2000)], locations, out _));
            Assert.True(spool.TryAppend([Lines(2000)], locations, out _));
            Assert.True(spool.TryAppend([Lines(2000)], locations, out _));
        }

        Assert.Equal(3, locations.Select(l => l.File.Path).Distinct().Count());
        string middle = locations[1].File.Path;
        using (FileStream f = File.OpenWrite(middle))
        {
            f.Position = 100;
            f.WriteByte(0xFF); // flip payload bytes of its only record
        }

        using DestinationSpool reopened = Open(out SpoolRecovery recovery);
        Assert.Equal(1, recovery.QuarantinedFiles);
        Assert.True(File.Exists(middle + ".corrupt"));
        Assert.False(File.Exists(middle));
        Assert.Equal([1L, 3], recovery.Records.Select(r => r.Sequence));
    }

    [Fact]
    public void RetireThrough_DeletesFullyRetiredFiles_AndTheCheckpointSkipsRetiredRecordsAfterARestart()
    {
        var locations = new List<SpoolLocation>();
        using (DestinationSpool spool = Open(out _, fileBytes: 64 << 10))
        {
            for (int i = 0; i < 3; i++)
            {
                Assert.True(spool.TryAppend([Lines(2000)], locations, out _));
            }

            Assert.Equal(3, spool.Files);
            spool.RetireThrough(1, writeCheckpoint: true);
            Assert.Equal(2, spool.Files);
            Assert.False(File.Exists(locations[0].File.Path));
        }

        using (DestinationSpool spool = Open(out SpoolRecovery recovery))
        {
            Assert.Equal([2L, 3], recovery.Records.Select(r => r.Sequence));
        }
    }

    [Fact]
    public void CheckpointInsideAFile_SkipsItsRetiredRecordsAfterARestart_WithoutTakingThemForDamage()
    {
        using (DestinationSpool spool = Open(out _))
        {
            Assert.True(spool.TryAppend([Lines(3), Lines(4), Lines(5)], [], out _));
            spool.RetireThrough(2, writeCheckpoint: true); // the file still holds record 3: it stays
            Assert.Equal(1, spool.Files);
        }

        using (DestinationSpool spool = Open(out SpoolRecovery recovery))
        {
            Assert.Equal(0, recovery.QuarantinedFiles);
            Assert.Equal(0, recovery.TornTails);
            Assert.Equal([3L], recovery.Records.Select(r => r.Sequence));
            Assert.Equal(5, recovery.Points);
            Assert.Equal(3, recovery.HighestSequence);
        }
    }

    [Fact]
    public void RemoveIfEmpty_AfterEverythingIsRetired_LeavesNoFiles()
    {
        string directory;
        using (DestinationSpool spool = Open(out _))
        {
            Assert.True(spool.TryAppend([Lines(3), Lines(3)], [], out _));
            directory = spool.Directory;
            spool.RemoveIfEmpty(2);
        }

        Assert.False(Directory.Exists(directory)); // nothing left behind, not even the lock file
        using DestinationSpool reopened = Open(out SpoolRecovery recovery);
        Assert.Empty(recovery.Records);
    }

    [Fact]
    public void SecondOpen_FailsFast_NamingTheDirectoryAndTheHolder()
    {
        using DestinationSpool first = Open(out _);
        GraphiteException ex = Assert.Throws<GraphiteException>(() => Open(out _));
        Assert.Contains(first.Directory, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"process {Environment.ProcessId}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpoolMaxBytes_RefusesAnAppendThatWouldPassIt()
    {
        using DestinationSpool spool = DestinationSpool.Open(_root, "carbon.example", 2003, SpoolFormat.Plaintext, 80_000, 64 << 10, out _);
        Assert.True(spool.TryAppend([Lines(2000)], [], out _));
        Assert.False(spool.TryAppend([Lines(2000)], [], out string? failure));
        Assert.Contains("SpoolMaxBytes", failure, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void FilesAndDirectories_AreOwnerOnly()
    {
        using DestinationSpool spool = Open(out _);
        var locations = new List<SpoolLocation>();
        Assert.True(spool.TryAppend([Lines(1)], locations, out _));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(spool.Directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(locations[0].File.Path));
    }
}
