using System.Buffers.Binary;

namespace AioGraphite.TestUtilities;

/// <summary>
/// Reads whisper (<c>.wsp</c>) files in pure C#, so tests can see exactly what carbon wrote to disk.
/// </summary>
/// <remarks>
/// Format (all big-endian): header <c>aggregationType u32, maxRetention u32, xFilesFactor f32, archiveCount u32</c>;
/// then per archive <c>offset u32, secondsPerPoint u32, points u32</c>; each archive is <c>points</c> slots of
/// <c>(timestamp u32, value f64)</c> at <c>offset</c>. Carbon creates files sparse, so unused slots are all zero.
/// </remarks>
public static class WhisperReader
{
    private const int HeaderSize = 16;
    private const int ArchiveInfoSize = 12;
    private const int PointSize = 12;

    /// <summary>
    /// Every stored point: slots whose timestamp is non-zero, from all archives, one per timestamp
    /// (the finest archive wins), sorted by timestamp.
    /// </summary>
    /// <param name="path">The .wsp file. It is opened with <see cref="FileShare.ReadWrite"/>: carbon may be writing it.</param>
    /// <returns>The points.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist (yet).</exception>
    /// <exception cref="InvalidDataException">The file is truncated or not a whisper file (carbon may still be creating it).</exception>
    /// <remarks>
    /// Slots are not checked against "now": when more time than an archive's retention has passed since a slot
    /// was written, whisper's own fetch treats it as stale but this reader still returns it.
    /// </remarks>
    public static IReadOnlyList<(long Timestamp, double Value)> ReadAll(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }

        return Parse(bytes, path);
    }

    private static List<(long Timestamp, double Value)> Parse(ReadOnlySpan<byte> file, string path)
    {
        if (file.Length < HeaderSize)
        {
            throw new InvalidDataException($"{path}: {file.Length} bytes, shorter than a whisper header");
        }

        var archiveCount = BinaryPrimitives.ReadUInt32BigEndian(file[12..]);
        if (archiveCount is 0 or > 1000 || file.Length < HeaderSize + (archiveCount * ArchiveInfoSize))
        {
            throw new InvalidDataException($"{path}: bad or truncated header ({archiveCount} archives, {file.Length} bytes)");
        }

        var seen = new Dictionary<long, double>();
        for (var i = 0; i < archiveCount; i++)
        {
            var info = file.Slice(HeaderSize + (i * ArchiveInfoSize), ArchiveInfoSize);
            long offset = BinaryPrimitives.ReadUInt32BigEndian(info);
            long points = BinaryPrimitives.ReadUInt32BigEndian(info[8..]);
            if (offset + (points * PointSize) > file.Length)
            {
                throw new InvalidDataException($"{path}: archive {i} ({points} points at offset {offset}) runs past the end ({file.Length} bytes)");
            }

            for (long p = 0; p < points; p++)
            {
                var slot = file.Slice((int)(offset + (p * PointSize)), PointSize);
                long timestamp = BinaryPrimitives.ReadUInt32BigEndian(slot);
                if (timestamp != 0)
                {
                    seen.TryAdd(timestamp, BinaryPrimitives.ReadDoubleBigEndian(slot[4..]));
                }
            }
        }

        var result = seen.Select(kv => (kv.Key, kv.Value)).ToList();
        result.Sort((a, b) => a.Key.CompareTo(b.Key));
        return result;
    }
}
