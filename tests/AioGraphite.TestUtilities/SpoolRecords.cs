using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace AioGraphite.TestUtilities;

/// <summary>One whole, checksummed record found in a spool file.</summary>
/// <param name="File">The record file.</param>
/// <param name="Offset">Where the record starts.</param>
/// <param name="Sequence">Its sequence number.</param>
/// <param name="Points">Points in its payload.</param>
/// <param name="Payload">The bytes as they go to carbon (plaintext lines, or one pickle frame).</param>
public sealed record SpoolRecordOnDisk(string File, long Offset, long Sequence, int Points, byte[] Payload)
{
    /// <summary>The payload's plaintext lines.</summary>
    /// <returns>The lines, without their newlines.</returns>
    public IEnumerable<string> Lines() => Encoding.UTF8.GetString(Payload).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>What a spool directory holds on disk, read independently of the library (the format of docs and README).</summary>
/// <param name="Records">Every whole record with a matching checksum, in file and offset order.</param>
/// <param name="Files">The record files (<c>*.spool</c>), in order.</param>
/// <param name="TornTail">Whether the last file ends with bytes that are not a whole record (an append cut short).</param>
/// <param name="DamagedFiles">Files other than the last with bytes after their whole records (they should be quarantined).</param>
/// <param name="RetiredThrough">The checkpoint: records up to this sequence were consumed by carbon (0 without one).</param>
public sealed record SpoolOnDisk(IReadOnlyList<SpoolRecordOnDisk> Records, IReadOnlyList<string> Files, bool TornTail, IReadOnlyList<string> DamagedFiles, long RetiredThrough)
{
    /// <summary>Points in <see cref="Records"/>.</summary>
    public long Points => Records.Sum(r => (long)r.Points);

    /// <summary>Points in records after the checkpoint: what a client opened on the spool sends first.</summary>
    public long UnretiredPoints => Records.Where(r => r.Sequence > RetiredThrough).Sum(r => (long)r.Points);
}

/// <summary>
/// Reads a spool directory (every destination sub-directory) the way a recovering client must: records of a 32-byte
/// little-endian header (magic <c>AGS1</c>, payload length, sequence, points, format, reserved, CRC-32C of the header's
/// first 28 bytes and the payload) followed by the payload. For tests that check what a killed process left on disk.
/// </summary>
public static class SpoolRecords
{
    private const int HeaderBytes = 32;
    private const uint Magic = 0x31534741; // "AGS1"

    /// <summary>Reads every record file under <paramref name="spoolDirectory"/> (recursively), oldest first.</summary>
    /// <param name="spoolDirectory">The client's <c>SpoolDirectory</c> (or one destination's sub-directory).</param>
    /// <returns>What is on disk; empty when the directory does not exist.</returns>
    public static SpoolOnDisk Read(string spoolDirectory)
    {
        if (!Directory.Exists(spoolDirectory))
        {
            return new SpoolOnDisk([], [], false, [], 0);
        }

        var files = Directory.EnumerateFiles(spoolDirectory, "*.spool", SearchOption.AllDirectories)
            .OrderBy(f => Path.GetDirectoryName(f), StringComparer.Ordinal)
            .ThenBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToList();
        var records = new List<SpoolRecordOnDisk>();
        var damaged = new List<string>();
        bool torn = false;
        for (int i = 0; i < files.Count; i++)
        {
            byte[] content;
            try
            {
                content = File.ReadAllBytes(files[i]);
            }
            catch (FileNotFoundException)
            {
                continue; // retired and deleted meanwhile
            }

            long end = ReadRecords(files[i], content, records);
            if (end < content.Length)
            {
                bool last = i == files.Count - 1 || Path.GetDirectoryName(files[i + 1]) != Path.GetDirectoryName(files[i]);
                if (last)
                {
                    torn = true;
                }
                else
                {
                    damaged.Add(files[i]);
                }
            }
        }

        long retired = Directory.EnumerateFiles(spoolDirectory, "checkpoint", SearchOption.AllDirectories).Select(ReadCheckpoint).DefaultIfEmpty(0).Max();
        return new SpoolOnDisk(records, files, torn, damaged, retired);
    }

    /// <summary>A whole plaintext record (header and payload) as the client writes it.</summary>
    /// <param name="sequence">Its sequence number.</param>
    /// <param name="points">Points in the payload.</param>
    /// <param name="payload">The payload.</param>
    /// <returns>The record's bytes.</returns>
    public static byte[] Encode(long sequence, int points, ReadOnlySpan<byte> payload)
    {
        byte[] record = new byte[HeaderBytes + payload.Length];
        Span<byte> header = record.AsSpan(0, HeaderBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], sequence);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], points);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], Crc32C(Crc32C(0, header[..28]), payload));
        payload.CopyTo(record.AsSpan(HeaderBytes));
        return record;
    }

    /// <summary>CRC-32C (Castagnoli) of <paramref name="data"/>, continuing <paramref name="crc"/> (start with 0).</summary>
    /// <param name="crc">The CRC so far.</param>
    /// <param name="data">More bytes.</param>
    /// <returns>The CRC.</returns>
    public static uint Crc32C(uint crc, ReadOnlySpan<byte> data)
    {
        crc = ~crc;
        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    /// <summary>The checkpoint (16 bytes: magic <c>ACP1</c>, retired-through sequence, CRC-32C of the first 12), or 0.</summary>
    private static long ReadCheckpoint(string path)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return 0;
        }

        return content.Length == 16 && BinaryPrimitives.ReadUInt32LittleEndian(content) == 0x31504341
            && Crc32C(0, content.AsSpan(0, 12)) == BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(12))
            ? BinaryPrimitives.ReadInt64LittleEndian(content.AsSpan(4))
            : 0;
    }

    private static long ReadRecords(string file, byte[] content, List<SpoolRecordOnDisk> into)
    {
        long offset = 0;
        while (content.Length - offset >= HeaderBytes)
        {
            ReadOnlySpan<byte> header = content.AsSpan((int)offset, HeaderBytes);
            int length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic || length <= 0 || offset + HeaderBytes + length > content.Length)
            {
                break;
            }

            ReadOnlySpan<byte> payload = content.AsSpan((int)offset + HeaderBytes, length);
            if (Crc32C(Crc32C(0, header[..28]), payload) != BinaryPrimitives.ReadUInt32LittleEndian(header[28..]))
            {
                break;
            }

            into.Add(new SpoolRecordOnDisk(file, offset, BinaryPrimitives.ReadInt64LittleEndian(header[8..]), BinaryPrimitives.ReadInt32LittleEndian(header[16..]), payload.ToArray()));
            offset += HeaderBytes + length;
        }

        return offset;
    }
}
