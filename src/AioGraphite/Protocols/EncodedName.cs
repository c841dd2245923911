using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AioGraphite.Protocols;

/// <summary>
/// A checked metric name with the bytes a <see cref="WireFormat"/> writes for it before the value, made once per name:
/// plaintext <c>prefix + metric + suffix + ' '</c>, pickle the whole <c>BINUNICODE</c> record (opcode, little-endian
/// length, UTF-8 name). Immutable, so that a reader holding one reference sees a consistent name and record.
/// <para>
/// The record's array is longer than the record, a whole number of <see cref="CopyBlockBytes"/> blocks, so that a
/// format copies it in whole blocks (no call to a general copy for a few dozen bytes); the bytes past
/// <see cref="RecordLength"/> are overwritten by what the format writes next.
/// </para>
/// </summary>
internal sealed class EncodedName
{
    /// <summary>Bytes of one block of <see cref="Record"/>'s copy: its array's length is a multiple of it.</summary>
    public const int CopyBlockBytes = 16;

    private EncodedName(string metric, byte[] record, int recordLength, int nameBytes)
    {
        Metric = metric;
        Record = record;
        RecordLength = recordLength;
        NameBytes = nameBytes;
        Tagged = metric.Contains(';', StringComparison.Ordinal);
    }

    /// <summary>The metric name.</summary>
    public string Metric { get; }

    /// <summary>The bytes written before the value (its first <see cref="RecordLength"/> bytes), padded to whole blocks.</summary>
    public byte[] Record { get; }

    /// <summary>Length of the record in <see cref="Record"/>.</summary>
    public int RecordLength { get; }

    /// <summary>UTF-8 length of the full name (prefix, metric and suffix).</summary>
    public int NameBytes { get; }

    /// <summary>Whether <see cref="Metric"/> carries tags (default tags may have to be merged into it).</summary>
    public bool Tagged { get; }

    /// <summary>
    /// A new name whose record is <paramref name="before"/> bytes (written by the caller into the returned array's
    /// start), the full name, then <paramref name="after"/> bytes (written by the caller after them).
    /// </summary>
    public static EncodedName Create(ReadOnlySpan<byte> prefix, string metric, int metricBytes, ReadOnlySpan<byte> suffix, int before, int after, out byte[] record)
    {
        int nameBytes = prefix.Length + metricBytes + suffix.Length;
        int length = before + nameBytes + after;
        record = new byte[(length + CopyBlockBytes - 1) / CopyBlockBytes * CopyBlockBytes];
        Span<byte> destination = record.AsSpan(before);
        prefix.CopyTo(destination);
        int n = prefix.Length;
        if (metricBytes == metric.Length)
        {
            // Checked ASCII (almost every metric name): narrowing is all there is to do.
            System.Text.Ascii.FromUtf16(metric, destination[n..], out int written);
            n += written;
        }
        else
        {
            n += System.Text.Encoding.UTF8.GetBytes(metric, destination[n..]);
        }

        suffix.CopyTo(destination[n..]);
        return new EncodedName(metric, record, length, nameBytes);
    }

    /// <summary>
    /// Copies the record to <paramref name="destination"/> in whole blocks: up to <see cref="CopyBlockBytes"/> - 1
    /// bytes past <see cref="RecordLength"/> are written too, so the destination must have that much room beyond it.
    /// Returns <see cref="RecordLength"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int CopyTo(ref byte destination)
    {
        ref byte source = ref MemoryMarshal.GetArrayDataReference(Record);
        int length = RecordLength;
        int offset = 0;
        do
        {
            Vector128.LoadUnsafe(ref source, (nuint)offset).StoreUnsafe(ref destination, (nuint)offset);
            offset += CopyBlockBytes;
        }
        while (offset < length);

        return length;
    }
}
