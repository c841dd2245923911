using System.Buffers.Binary;

namespace AioGraphite.Spool;

/// <summary>
/// The retired-through sequence of a spool, in its own small file written atomically (temporary file, sync, rename):
/// records at or below it were consumed by carbon and need not be sent again after a restart. Only an optimisation:
/// without it (missing or corrupt) every record still on disk is sent again, and carbon overwrites a (metric, timestamp)
/// with the same value.
/// </summary>
internal static class SpoolCheckpoint
{
    private const uint Magic = 0x31504341; // "ACP1"
    private const int Bytes = 16;

    /// <summary>The retired-through sequence; 0 when there is no checkpoint, -1 when it is damaged.</summary>
    public static long Read(SpoolFileSystem fileSystem, string directory)
    {
        byte[]? content = fileSystem.ReadSmallFile(Path.Combine(directory, SpoolDirectoryLayout.CheckpointName), Bytes + 1); // an over-long file fails the length check
        if (content is null)
        {
            return 0;
        }

        if (content.Length != Bytes || BinaryPrimitives.ReadUInt32LittleEndian(content) != Magic
            || Crc32C.Append(0, content.AsSpan(0, 12)) != BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(12)))
        {
            return -1;
        }

        return BinaryPrimitives.ReadInt64LittleEndian(content.AsSpan(4));
    }

    /// <summary>Replaces the checkpoint atomically (durable when this returns).</summary>
    public static void Write(SpoolFileSystem fileSystem, string directory, long retiredThrough)
    {
        Span<byte> content = stackalloc byte[Bytes];
        BinaryPrimitives.WriteUInt32LittleEndian(content, Magic);
        BinaryPrimitives.WriteInt64LittleEndian(content[4..], retiredThrough);
        BinaryPrimitives.WriteUInt32LittleEndian(content[12..], Crc32C.Append(0, content[..12]));
        fileSystem.WriteAtomically(Path.Combine(directory, SpoolDirectoryLayout.CheckpointName), content);
    }

    /// <summary>Deletes the checkpoint (durable once the directory is synced).</summary>
    public static void Delete(SpoolFileSystem fileSystem, string directory) => fileSystem.Delete(Path.Combine(directory, SpoolDirectoryLayout.CheckpointName));
}
