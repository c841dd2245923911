using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace AioGraphite.TestUtilities;

/// <summary>
/// Counts the datapoints in one carbon pickle frame (the payload after the 4-byte length) without
/// unpickling: it walks exactly the opcodes AioGraphite's pickler writes and throws on anything else, so a
/// count that matches proves the frame was whole and well-formed.
/// </summary>
public static class PickleItemCounter
{
    /// <summary>Counts the items of <paramref name="frame"/>; throws <see cref="InvalidDataException"/> on anything AioGraphite does not write.</summary>
    /// <param name="frame">One frame's payload.</param>
    /// <returns>The number of datapoints.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Count(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 4 || frame[0] != 0x80 || frame[1] != 2 || frame[2] != (byte)']')
        {
            throw new InvalidDataException("pickle frame does not start with PROTO 2, EMPTY_LIST");
        }

        int items = 0;
        int p = 3;
        while (true)
        {
            byte op = frame[p++];
            switch (op)
            {
                case (byte)'(':
                case (byte)'e':
                case (byte)'a':
                    continue;
                case (byte)'.':
                    if (p != frame.Length)
                    {
                        throw new InvalidDataException($"pickle STOP at {p - 1} before the end of the {frame.Length}-byte frame");
                    }

                    return items;
                case (byte)'X':
                    int nameBytes = (int)BinaryPrimitives.ReadUInt32LittleEndian(frame[p..]);
                    p += 4 + nameBytes;
                    p += frame[p] switch
                    {
                        (byte)'K' => 2,
                        (byte)'M' => 3,
                        (byte)'J' => 5,
                        0x8a => 2 + frame[p + 1],
                        _ => throw new InvalidDataException($"unexpected timestamp opcode 0x{frame[p]:x2} at {p}"),
                    };
                    if (frame[p] != (byte)'G' || frame[p + 9] != 0x86 || frame[p + 10] != 0x86)
                    {
                        throw new InvalidDataException($"malformed (timestamp, value) tuple at {p}");
                    }

                    p += 11;
                    items++;
                    continue;
                default:
                    throw new InvalidDataException($"unexpected pickle opcode 0x{op:x2} at {p - 1}");
            }
        }
    }
}
