using System.Buffers.Binary;
using System.Buffers.Text;

namespace AioGraphite.Spool;

/// <summary>
/// Reads the points' timestamps back out of a spooled payload (for <c>aiographite spool status</c>): plaintext lines
/// end in their timestamp; a pickle frame is walked over exactly the opcodes <see cref="Protocols.PickleFormat"/> writes.
/// </summary>
internal static class SpoolPayload
{
    /// <summary>
    /// Widens <paramref name="oldest"/> and <paramref name="newest"/> by the payload's timestamps and counts its points;
    /// false when the payload is not what the spool writes (then the counts are partial).
    /// </summary>
    public static bool TryReadTimestamps(ReadOnlySpan<byte> payload, SpoolFormat format, ref long oldest, ref long newest, out int points) =>
        format == SpoolFormat.Pickle
            ? TryReadPickle(payload, ref oldest, ref newest, out points)
            : TryReadPlaintext(payload, ref oldest, ref newest, out points);

    private static bool TryReadPlaintext(ReadOnlySpan<byte> payload, ref long oldest, ref long newest, out int points)
    {
        points = 0;
        while (payload.Length > 0)
        {
            int end = payload.IndexOf((byte)'\n');
            if (end < 0)
            {
                return false; // the writer ends every line
            }

            ReadOnlySpan<byte> line = payload[..end];
            payload = payload[(end + 1)..];
            int space = line.LastIndexOf((byte)' ');
            if (space < 0 || !Utf8Parser.TryParse(line[(space + 1)..], out long timestamp, out int consumed) || consumed != line.Length - space - 1)
            {
                return false;
            }

            Widen(timestamp, ref oldest, ref newest);
            points++;
        }

        return true;
    }

    private static bool TryReadPickle(ReadOnlySpan<byte> frame, ref long oldest, ref long newest, out int points)
    {
        points = 0;
        if (frame.Length < 8 || BinaryPrimitives.ReadUInt32BigEndian(frame) != frame.Length - 4 || frame[4] != 0x80 || frame[5] != 2 || frame[6] != (byte)']')
        {
            return false;
        }

        int p = 7;
        while (p < frame.Length)
        {
            byte op = frame[p++];
            switch (op)
            {
                case (byte)'(' or (byte)'e' or (byte)'a':
                    continue;
                case (byte)'.':
                    return p == frame.Length;
                case (byte)'X':
                    if (frame.Length - p < 4)
                    {
                        return false;
                    }

                    long nameBytes = BinaryPrimitives.ReadUInt32LittleEndian(frame[p..]);
                    if (nameBytes > frame.Length - p - 4 - 1)
                    {
                        return false;
                    }

                    p += 4 + (int)nameBytes;
                    if (!TryReadInt(frame, ref p, out long timestamp) || frame.Length - p < 11 || frame[p] != (byte)'G' || frame[p + 9] != 0x86 || frame[p + 10] != 0x86)
                    {
                        return false;
                    }

                    p += 11;
                    Widen(timestamp, ref oldest, ref newest);
                    points++;
                    continue;
                default:
                    return false;
            }
        }

        return false; // no STOP
    }

    /// <summary>BININT1, BININT2, BININT or LONG1 (at most 8 bytes, little-endian two's complement).</summary>
    private static bool TryReadInt(ReadOnlySpan<byte> frame, ref int p, out long value)
    {
        value = 0;
        if (p >= frame.Length)
        {
            return false;
        }

        byte op = frame[p++];
        int size = op switch
        {
            (byte)'K' => 1,
            (byte)'M' => 2,
            (byte)'J' => 4,
            0x8a when p < frame.Length && frame[p] <= 8 => frame[p++],
            _ => -1,
        };
        if (size < 0 || frame.Length - p < size)
        {
            return false;
        }

        ReadOnlySpan<byte> bytes = frame.Slice(p, size);
        p += size;
        value = op switch
        {
            (byte)'K' => bytes[0],
            (byte)'M' => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
            (byte)'J' => BinaryPrimitives.ReadInt32LittleEndian(bytes),
            _ => Long1(bytes),
        };
        return true;
    }

    private static long Long1(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return 0;
        }

        Span<byte> eight = stackalloc byte[8];
        eight.Fill((bytes[^1] & 0x80) != 0 ? (byte)0xff : (byte)0);
        bytes.CopyTo(eight);
        return BinaryPrimitives.ReadInt64LittleEndian(eight);
    }

    private static void Widen(long timestamp, ref long oldest, ref long newest)
    {
        oldest = Math.Min(oldest, timestamp);
        newest = Math.Max(newest, timestamp);
    }
}
