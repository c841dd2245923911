using System.Buffers.Binary;

namespace AioGraphite.Spool;

/// <summary>
/// The spool's record: a 32-byte header, then the segment's bytes exactly as they go to carbon (plaintext lines or one
/// pickle frame). All little-endian:
/// <code>
///  0  u32  magic "AGS1"
///  4  u32  payload length
///  8  u64  sequence (the segment's, monotonic across restarts)
/// 16  u32  points in the payload
/// 20  u32  format (0 plaintext, 1 pickle)
/// 24  u32  reserved (0)
/// 28  u32  CRC-32C of bytes 0..28 and the payload
/// 32  payload
/// </code>
/// A record is valid only whole: a torn or corrupt one fails the length or the checksum.
/// </summary>
internal static class SpoolRecord
{
    public const int HeaderBytes = 32;
    public const uint Magic = 0x31534741; // "AGS1"

    /// <summary>Largest payload a record may carry (a pickle frame is at most 1 MiB + 4; a segment at most 1 MiB).</summary>
    public const int MaxPayloadBytes = 4 << 20;

    private const int CrcOffset = 28;

    /// <summary>Fills <paramref name="header"/> for <paramref name="payload"/>.</summary>
    public static void WriteHeader(Span<byte> header, ReadOnlySpan<byte> payload, long sequence, int points, SpoolFormat format)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], sequence);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], points);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)format);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], 0);
        uint crc = Crc32C.Append(Crc32C.Append(0, header[..CrcOffset]), payload);
        BinaryPrimitives.WriteUInt32LittleEndian(header[CrcOffset..], crc);
    }

    /// <summary>Reads a header; false when it is not one (wrong magic, impossible length or format).</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out RecordHeader record)
    {
        record = default;
        if (header.Length < HeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        long sequence = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        int points = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        uint format = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
        if (length is <= 0 or > MaxPayloadBytes || sequence <= 0 || points <= 0 || format > (uint)SpoolFormat.Pickle)
        {
            return false;
        }

        record = new RecordHeader(length, sequence, points, (SpoolFormat)format, BinaryPrimitives.ReadUInt32LittleEndian(header[CrcOffset..]));
        return true;
    }

    /// <summary>Whether the payload matches the header's checksum.</summary>
    public static bool Verify(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, uint expected) =>
        Crc32C.Append(Crc32C.Append(0, header[..CrcOffset]), payload) == expected;
}
