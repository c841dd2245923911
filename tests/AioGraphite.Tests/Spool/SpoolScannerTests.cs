using System.Text;
using AioGraphite.Spool;
using Xunit;

namespace AioGraphite.Tests.Spool;

/// <summary>
/// <see cref="SpoolScanner"/> on hand-made record files: damage costs only the damaged bytes, the scan finds the next valid
/// record after it, and only an invalid stretch at the end of the last file is a torn tail.
/// </summary>
public sealed class SpoolScannerTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"aiographite-scanner-{Guid.NewGuid():N}.spool");

    public void Dispose() => File.Delete(_path);

    /// <summary>A record of <paramref name="points"/> plaintext lines with sequence <paramref name="sequence"/>.</summary>
    private static byte[] Record(long sequence, int points)
    {
        var text = new StringBuilder();
        for (int i = 0; i < points; i++)
        {
            text.Append("scanner.test ").Append(sequence * 1000 + i).Append(" 1700000000\n");
        }

        byte[] payload = Encoding.ASCII.GetBytes(text.ToString());
        byte[] record = new byte[SpoolRecord.HeaderBytes + payload.Length];
        SpoolRecord.WriteHeader(record, payload, sequence, points, SpoolFormat.Plaintext);
        payload.CopyTo(record, SpoolRecord.HeaderBytes);
        return record;
    }

    private SpoolScan ScanOf(IEnumerable<byte[]> parts, bool lastFile, long previous = 0)
    {
        File.WriteAllBytes(_path, parts.SelectMany(p => p).ToArray());
        return SpoolScanner.Scan(SpoolFileSystem.Default, _path, previous, SpoolFormat.Plaintext, lastFile);
    }

    private static byte[] Flip(byte[] record, int at)
    {
        byte[] copy = (byte[])record.Clone();
        copy[at] ^= 0x20;
        return copy;
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(0, false)]
    [InlineData(2, true)]
    [InlineData(2, false)]
    public void DamagedPayload_CostsOnlyThatRecord_TheRecordsAfterItAreValid_AndItIsNoTornTail(int damaged, bool lastFile)
    {
        byte[][] records = [Record(1, 3), Record(2, 4), Record(3, 5), Record(4, 6), Record(5, 7)];
        records[damaged] = Flip(records[damaged], SpoolRecord.HeaderBytes + 10);

        SpoolScan scan = ScanOf(records, lastFile);

        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }.Where(s => s != damaged + 1), scan.Records.Select(r => r.Sequence));
        SpoolDamage damage = Assert.Single(scan.Damage);
        Assert.Equal(records.Take(damaged).Sum(r => r.Length), damage.Offset);
        Assert.Equal(records[damaged].Length, damage.Length);
        Assert.Equal(1, damage.Records);
        Assert.Equal(damaged + 3, damage.Points); // from its header, which survived
        Assert.True(damage.PointsKnown);
        Assert.Contains("checksum", damage.Reason, StringComparison.Ordinal);
        Assert.Null(scan.TornTail);
        Assert.Equal(5, scan.LastSequence);
        Assert.Equal(scan.Length, scan.ValidLength);
    }

    [Fact]
    public void DamagedLastRecord_IsATornTailOfTheLastFile_ButDamageAtTheEndOfAnyOtherFile()
    {
        byte[][] records = [Record(1, 3), Record(2, 4), Flip(Record(3, 5), 40)];
        long before = records[0].Length + records[1].Length;

        SpoolScan last = ScanOf(records, lastFile: true);
        Assert.Equal([1L, 2], last.Records.Select(r => r.Sequence));
        Assert.Empty(last.Damage);
        Assert.Equal(before, last.TornTail?.Offset);
        Assert.Equal(before, last.ValidLength);

        SpoolScan notLast = ScanOf(records, lastFile: false);
        Assert.Null(notLast.TornTail);
        SpoolDamage damage = Assert.Single(notLast.Damage);
        Assert.Equal((before, records[2].Length, 5L), (damage.Offset, damage.Length, damage.Points));
    }

    [Fact]
    public void SeveralDamagedRecords_ApartAndAdjacent_AreSeparateRanges_WithTheirPoints()
    {
        byte[][] records = [Record(1, 3), Flip(Record(2, 4), 50), Record(3, 5), Flip(Record(4, 6), 60), Flip(Record(5, 7), 70), Record(6, 8)];

        SpoolScan scan = ScanOf(records, lastFile: true);

        Assert.Equal([1L, 3, 6], scan.Records.Select(r => r.Sequence));
        Assert.Equal(2, scan.Damage.Count);
        Assert.Equal((records[0].Length, (long)records[1].Length, 1, 4L), (scan.Damage[0].Offset, scan.Damage[0].Length, scan.Damage[0].Records, scan.Damage[0].Points));
        Assert.Equal((long)(records[3].Length + records[4].Length), scan.Damage[1].Length);
        Assert.Equal((2, 13L, true), (scan.Damage[1].Records, scan.Damage[1].Points, scan.Damage[1].PointsKnown));
        Assert.Null(scan.TornTail);
    }

    [Fact]
    public void DamagedHeader_CostsOnlyItsRecord_WhosePointsAreThenUnknown()
    {
        byte[][] records = [Record(1, 3), Flip(Record(2, 4), 1), Record(3, 5)]; // the magic of record 2

        SpoolScan scan = ScanOf(records, lastFile: true);

        Assert.Equal([1L, 3], scan.Records.Select(r => r.Sequence));
        SpoolDamage damage = Assert.Single(scan.Damage);
        Assert.Equal((records[0].Length, (long)records[1].Length, 1), (damage.Offset, damage.Length, damage.Records));
        Assert.False(damage.PointsKnown);
        Assert.Equal(0, damage.Points);
        Assert.Contains("header", damage.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void GarbageWithAFalseMagic_AndAForgedHeaderThatFailsItsChecksum_IsSkippedUpToTheNextValidRecord()
    {
        byte[] forged = Record(7, 2);
        forged[SpoolRecord.HeaderBytes] ^= 1; // a plausible header whose payload does not match it
        byte[] garbage = [.. "xxAGS1yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyAGS"u8, .. forged, .. "zzzzAGS1"u8];
        byte[][] parts = [Record(1, 3), garbage, Record(2, 4), Record(3, 5)];

        SpoolScan scan = ScanOf(parts, lastFile: true);

        Assert.Equal([1L, 2, 3], scan.Records.Select(r => r.Sequence));
        SpoolDamage damage = Assert.Single(scan.Damage);
        Assert.Equal((parts[0].Length, (long)garbage.Length), (damage.Offset, damage.Length));
        Assert.False(damage.PointsKnown);
    }

    [Fact]
    public void TornTailAfterDamage_IsCut_TheDamageBeforeItIsReported()
    {
        byte[] torn = Record(4, 6)[..40];
        byte[][] parts = [Record(1, 3), Flip(Record(2, 4), 45), Record(3, 5), torn];

        SpoolScan scan = ScanOf(parts, lastFile: true);

        Assert.Equal([1L, 3], scan.Records.Select(r => r.Sequence));
        Assert.Equal(parts[0].Length, Assert.Single(scan.Damage).Offset);
        Assert.Equal(parts[0].Length + parts[1].Length + parts[2].Length, scan.TornTail?.Offset);
        Assert.Equal(torn.Length, scan.TornTail?.Length);
        Assert.Equal(scan.TornTail?.Offset, scan.ValidLength);
    }

    [Fact]
    public void ZeroTail_IsATornTailOfTheLastFile_AndZerosBeforeAValidRecordAreDamage()
    {
        byte[][] parts = [Record(1, 3), Record(2, 4), new byte[4096]];
        SpoolScan tail = ScanOf(parts, lastFile: true);
        Assert.Equal([1L, 2], tail.Records.Select(r => r.Sequence));
        Assert.Empty(tail.Damage);
        Assert.Equal(4096, tail.TornTail?.Length);

        SpoolScan middle = ScanOf([Record(1, 3), new byte[4096], Record(2, 4)], lastFile: true);
        Assert.Equal([1L, 2], middle.Records.Select(r => r.Sequence));
        Assert.Equal(4096, Assert.Single(middle.Damage).Length);
        Assert.Null(middle.TornTail);
    }

    [Fact]
    public void ARecordWhoseSequenceIsNotAboveThePreviousOne_IsStaleData_NotAValidRecord()
    {
        SpoolScan scan = ScanOf([Record(5, 3), Record(4, 2), Record(6, 4)], lastFile: true, previous: 2);
        Assert.Equal([5L, 6], scan.Records.Select(r => r.Sequence));
        Assert.Contains("sequence 4", Assert.Single(scan.Damage).Reason, StringComparison.Ordinal);

        SpoolScan afterPrevious = ScanOf([Record(5, 3)], lastFile: false, previous: 5); // records rise across files
        Assert.Empty(afterPrevious.Records);
        Assert.Equal(5, afterPrevious.LastSequence);
    }

    [Fact]
    public void Scan_ChangesNothing()
    {
        byte[][] parts = [Record(1, 3), Flip(Record(2, 4), 45), Record(3, 5), Record(4, 6)[..40]];
        byte[] before = parts.SelectMany(p => p).ToArray();
        ScanOf(parts, lastFile: true);
        Assert.Equal(before, File.ReadAllBytes(_path));
    }
}
