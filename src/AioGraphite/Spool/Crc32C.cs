using System.Buffers.Binary;
using System.Numerics;

namespace AioGraphite.Spool;

/// <summary>CRC-32C (Castagnoli), as in iSCSI and ext4, on the CPU's CRC instructions where there are any.</summary>
internal static class Crc32C
{
    /// <summary>Continues <paramref name="crc"/> (start with 0) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        crc = ~crc;
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
