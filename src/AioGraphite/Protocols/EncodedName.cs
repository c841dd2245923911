namespace AioGraphite.Protocols;

/// <summary>
/// A checked metric name with the bytes a <see cref="WireFormat"/> writes for it before the value, made once per name:
/// plaintext <c>prefix + metric + suffix + ' '</c>, pickle the whole <c>BINUNICODE</c> record (opcode, little-endian
/// length, UTF-8 name). Immutable, so that a reader holding one reference sees a consistent name and record.
/// </summary>
internal sealed class EncodedName
{
    /// <param name="metric">The name as given (the key of <see cref="EncodedNameCache"/>), or as written when default tags were merged into it.</param>
    /// <param name="record">The bytes written before the value.</param>
    /// <param name="nameBytes">UTF-8 length of the full name (prefix, metric and suffix).</param>
    public EncodedName(string metric, byte[] record, int nameBytes)
    {
        Metric = metric;
        Record = record;
        NameBytes = nameBytes;
        Tagged = metric.Contains(';', StringComparison.Ordinal);
    }

    /// <summary>The metric name.</summary>
    public string Metric { get; }

    /// <summary>The bytes written before the value.</summary>
    public byte[] Record { get; }

    /// <summary>UTF-8 length of the full name (prefix, metric and suffix).</summary>
    public int NameBytes { get; }

    /// <summary>Whether <see cref="Metric"/> carries tags (default tags may have to be merged into it).</summary>
    public bool Tagged { get; }

    /// <summary>
    /// A new name whose record is <paramref name="before"/> bytes (written by the caller into the returned array's
    /// start), the full name, then <paramref name="after"/> bytes.
    /// </summary>
    public static EncodedName Create(ReadOnlySpan<byte> prefix, string metric, int metricBytes, ReadOnlySpan<byte> suffix, int before, int after, out byte[] record)
    {
        int nameBytes = prefix.Length + metricBytes + suffix.Length;
        record = new byte[before + nameBytes + after];
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
        return new EncodedName(metric, record, nameBytes);
    }
}
