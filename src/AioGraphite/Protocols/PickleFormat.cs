using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AioGraphite.Protocols;

/// <summary>
/// carbon's pickle protocol: a 4-byte big-endian length, then a protocol-2 pickle of
/// <c>[(metric, (timestamp, value)), ...]</c>. The opcodes are those CPython's pickler emits
/// (PROTO 2, EMPTY_LIST, MARK … APPENDS in batches of 1000, a one-element list as item APPEND, BINUNICODE names,
/// BININT1/BININT2/BININT/LONG1 timestamps, BINFLOAT values, TUPLE2, STOP) without the memo opcodes,
/// which carry no data: the bytes equal <c>pickletools.optimize(pickle.dumps(points, 2))</c>.
/// An instance keeps the state of the frame it is filling (the open APPENDS batch), so each buffer (or message)
/// uses its own instance, under its own lock.
/// </summary>
internal sealed class PickleFormat : WireFormat
{
    /// <summary>carbon closes the connection on a payload above 2^20 bytes.</summary>
    public const int MaxPayloadBytes = 1 << 20;

    private const int BatchSize = 1000;        // CPython's pickle._BATCHSIZE
    private const byte Proto = 0x80;
    private const byte EmptyList = (byte)']';
    private const byte Mark = (byte)'(';
    private const byte Appends = (byte)'e';
    private const byte Append = (byte)'a';
    private const byte BinUnicode = (byte)'X';
    private const byte BinInt1 = (byte)'K';
    private const byte BinInt2 = (byte)'M';
    private const byte BinInt = (byte)'J';
    private const byte Long1 = 0x8a;
    private const byte BinFloat = (byte)'G';
    private const byte Tuple2 = 0x86;
    private const byte Stop = (byte)'.';

    // 'X' + u32 + name, int (at most LONG1 with 8 bytes: 10), 'G' + 8, two TUPLE2, MARK, APPENDS; plus the frame's final APPEND(S) + STOP.
    private const int ItemOverhead = 5 + 10 + 9 + 2 + 2;
    private const int TrailerBytes = 2;

    /// <summary>Bytes of an int's block, copied whole as one vector (the longest int written, LONG1 with 8 bytes, takes 10).</summary>
    private const int IntBlockBytes = 16;

    /// <summary>TUPLE2 TUPLE2, written as one.</summary>
    private const ushort TwoTuple2 = (Tuple2 << 8) | Tuple2;

    private int _batchCount;       // items in the open APPENDS batch
    private int _batchMarkOffset;  // offset of the MARK that opened it

    // The int of the last timestamp written (the points of a batch mostly share one).
    private IntBlock _int;
    private long _intTimestamp = -1;
    private int _intLength;

    public override int MaxSegmentBytes => MaxPayloadBytes + 4;

    public override int WorstCaseBytes(int nameBytes) => 4 + 3 + nameBytes + ItemOverhead + TrailerBytes;

    /// <summary>The name's whole <c>BINUNICODE</c> record: opcode, little-endian length, UTF-8 name.</summary>
    public override EncodedName Encode(ReadOnlySpan<byte> prefix, string metric, int metricBytes, ReadOnlySpan<byte> suffix)
    {
        EncodedName name = EncodedName.Create(prefix, metric, metricBytes, suffix, before: 5, after: 0, out byte[] record);
        record[0] = BinUnicode;
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(1), (uint)name.NameBytes);
        return name;
    }

    public override void BeginFrame(Segment segment)
    {
        Span<byte> b = segment.Buffer;
        b[4] = Proto;
        b[5] = 2;
        b[6] = EmptyList;
        segment.Length = 7;
        _batchCount = 0;
    }

    /// <summary>
    /// Writes <c>[MARK] record int BINFLOAT TUPLE2 TUPLE2 [APPENDS]</c> per point through a byte cursor; the segment's
    /// length and point count are updated once.
    /// </summary>
    public override int Write(Segment segment, ReadOnlySpan<PreparedPoint> points)
    {
        var run = new PreparedPointRun(points);
        return Write(segment, ref run, 0);
    }

    /// <summary>
    /// Writes the points of <paramref name="run"/> from <paramref name="start"/> as <see cref="Write(Segment, ReadOnlySpan{PreparedPoint})"/>
    /// does, until the segment is full or the run stops; returns how many were written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Write<TRun>(Segment segment, ref TRun run, int start)
        where TRun : IPointRun, allows ref struct
    {
        byte[] buffer = segment.Buffer;
        ref byte origin = ref MemoryMarshal.GetArrayDataReference(buffer);
        int position = segment.Length;

        // The frame's state in locals for the loop (the stores through the cursor would make the JIT reload fields).
        int batchCount = _batchCount;
        long intTimestamp = _intTimestamp;
        int intLength = _intLength;
        Vector128<byte> intBlock = Vector128.LoadUnsafe(ref _int[0]);
        int i = start;
        for (; i < run.Count; i++)
        {
            if (!run.TryGet(i, out EncodedName name, out double value, out long timestamp))
            {
                break;
            }

            // The record holds the 5 bytes of opcode and length that ItemOverhead counts. Its block copy writes up to 15
            // bytes past it, within the 25 that ItemOverhead and TrailerBytes keep after it.
            if (buffer.Length - position < name.RecordLength - 5 + ItemOverhead + TrailerBytes)
            {
                break;
            }

            if (batchCount == 0)
            {
                _batchMarkOffset = position;
                Unsafe.Add(ref origin, position++) = Mark;
            }

            ref byte cursor = ref Unsafe.Add(ref origin, position);
            int n = name.CopyTo(ref cursor);
            if (timestamp != intTimestamp)
            {
                SetInt(timestamp);
                intTimestamp = timestamp;
                intLength = _intLength;
                intBlock = Vector128.LoadUnsafe(ref _int[0]);
            }

            // The int's whole block (ItemOverhead counts the 10 bytes an int may take; the rest lands within the 25 kept
            // after the record, and is written over by what follows or left past the frame's end), then the value over
            // what follows the int's length.
            intBlock.StoreUnsafe(ref Unsafe.Add(ref cursor, n));
            n += intLength;
            Unsafe.Add(ref cursor, n) = BinFloat;
            ulong bits = BitConverter.DoubleToUInt64Bits(value);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref cursor, n + 1), BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(bits) : bits);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref cursor, n + 9), TwoTuple2);
            n += 11;
            if (++batchCount == BatchSize)
            {
                Unsafe.Add(ref cursor, n++) = Appends;
                batchCount = 0;
            }

            position += n;
        }

        _batchCount = batchCount;
        segment.Points += i - start;
        segment.Length = position;
        return i - start;
    }

    public override void EndFrame(Segment segment)
    {
        byte[] b = segment.Buffer;
        if (segment.Points == 1)
        {
            // CPython's C pickler (batch_list_exact) writes a one-element list as `item APPEND`, without MARK:
            // drop the MARK we wrote. A trailing batch of one in a longer list keeps MARK ... APPENDS.
            int mark = _batchMarkOffset;
            b.AsSpan(mark + 1, segment.Length - mark - 1).CopyTo(b.AsSpan(mark));
            segment.Length--;
            b[segment.Length++] = Append;
        }
        else if (_batchCount > 0)
        {
            b[segment.Length++] = Appends;
        }

        _batchCount = 0;
        b[segment.Length++] = Stop;
        BinaryPrimitives.WriteUInt32BigEndian(b, (uint)(segment.Length - 4));
    }

    private void SetInt(long timestamp)
    {
        _intLength = WriteInt(timestamp, _int);
        _intTimestamp = timestamp;
    }

    /// <summary>Writes an int the way CPython's <c>save_long</c> does for protocol 2.</summary>
    private static int WriteInt(long value, Span<byte> d)
    {
        if (value >= 0)
        {
            if (value <= 0xff)
            {
                d[0] = BinInt1;
                d[1] = (byte)value;
                return 2;
            }

            if (value <= 0xffff)
            {
                d[0] = BinInt2;
                BinaryPrimitives.WriteUInt16LittleEndian(d[1..], (ushort)value);
                return 3;
            }
        }

        if (value is >= int.MinValue and <= int.MaxValue)
        {
            d[0] = BinInt;
            BinaryPrimitives.WriteInt32LittleEndian(d[1..], (int)value);
            return 5;
        }

        // LONG1: CPython's encode_long: (bit_length >> 3) + 1 bytes, little-endian two's complement,
        // minus a redundant 0xff sign byte for negatives.
        ulong magnitude = value < 0 ? (ulong)(-(value + 1)) + 1 : (ulong)value; // |value|, no overflow at long.MinValue
        int bitLength = 64 - System.Numerics.BitOperations.LeadingZeroCount(magnitude);
        int count = (bitLength >> 3) + 1;
        Span<byte> full = stackalloc byte[9];
        BinaryPrimitives.WriteInt64LittleEndian(full, value);
        full[8] = value < 0 ? (byte)0xff : (byte)0;
        if (value < 0 && count > 1 && full[count - 1] == 0xff && (full[count - 2] & 0x80) != 0)
        {
            count--;
        }

        d[0] = Long1;
        d[1] = (byte)count;
        full[..count].CopyTo(d[2..]);
        return 2 + count;
    }

    /// <summary>An int's bytes, with room to be copied as one vector.</summary>
    [InlineArray(IntBlockBytes)]
    private struct IntBlock
    {
        private byte _first;
    }
}
