using System.Buffers.Binary;

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

    private int _batchCount;       // items in the open APPENDS batch
    private int _batchMarkOffset;  // offset of the MARK that opened it

    public override int MaxSegmentBytes => MaxPayloadBytes + 4;

    public override int WorstCaseBytes(int nameBytes) => 4 + 3 + nameBytes + ItemOverhead + TrailerBytes;

    public override void BeginFrame(Segment segment)
    {
        Span<byte> b = segment.Buffer;
        b[4] = Proto;
        b[5] = 2;
        b[6] = EmptyList;
        segment.Length = 7;
        _batchCount = 0;
    }

    public override bool TryAppend(Segment segment, in PointText point)
    {
        Span<byte> free = segment.Free;
        int nameBytes = point.NameBytes;
        if (free.Length < nameBytes + ItemOverhead + TrailerBytes)
        {
            return false;
        }

        int n = 0;
        if (_batchCount == 0)
        {
            _batchMarkOffset = segment.Length;
            free[n++] = Mark;
        }

        free[n++] = BinUnicode;
        BinaryPrimitives.WriteUInt32LittleEndian(free[n..], (uint)nameBytes);
        n += 4;
        n += point.WriteName(free[n..]);
        n += WriteInt(point.Timestamp, free[n..]);
        free[n++] = BinFloat;
        BinaryPrimitives.WriteDoubleBigEndian(free[n..], point.Value);
        n += 8;
        free[n++] = Tuple2;
        free[n++] = Tuple2;
        if (++_batchCount == BatchSize)
        {
            free[n++] = Appends;
            _batchCount = 0;
        }

        segment.Length += n;
        segment.Points++;
        return true;
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
}
