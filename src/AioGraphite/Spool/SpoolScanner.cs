namespace AioGraphite.Spool;

/// <summary>
/// Reads one record file through a <see cref="SpoolFileSystem"/> without changing anything, and says what is in it: the
/// valid records, the damaged byte ranges between them, and whether it ends in a torn tail.
/// </summary>
/// <remarks>
/// Damage costs only the damaged bytes: after a bad record the scan searches forward for the next offset where the magic
/// "AGS1" begins a header that <see cref="SpoolRecord.TryReadHeader"/> accepts, whose payload fits the file, whose
/// CRC-32C verifies and whose sequence is higher than the last valid one, and goes on from there. An invalid stretch
/// with a valid record after it is damage, never a torn tail; a torn tail is an invalid stretch at the end of the last
/// file (<c>lastFile</c>) with nothing valid after it (an append interrupted by a crash). At the end of any other file
/// such a stretch is damage too.
/// </remarks>
internal static class SpoolScanner
{
    private const int SearchChunkBytes = 64 << 10;

    /// <summary>Opens <paramref name="path"/> through <paramref name="fileSystem"/> and scans it (see <see cref="Scan(SpoolFileSystem, SpoolFileHandle, string, long, SpoolFormat?, bool)"/>).</summary>
    public static SpoolScan Scan(SpoolFileSystem fileSystem, string path, long previousSequence, SpoolFormat? format, bool lastFile)
    {
        using SpoolFileHandle handle = fileSystem.Open(path, create: false);
        return Scan(fileSystem, handle, path, previousSequence, format, lastFile);
    }

    /// <summary>
    /// Scans an open record file. A record is valid only with a sequence above <paramref name="previousSequence"/> (the
    /// last valid record before this file; 0 for none) and, when <paramref name="format"/> is given, in that format.
    /// </summary>
    public static SpoolScan Scan(SpoolFileSystem fileSystem, SpoolFileHandle handle, string path, long previousSequence, SpoolFormat? format, bool lastFile)
    {
        var reader = new Reader(fileSystem, handle, fileSystem.GetLength(handle), format);
        var scan = new SpoolScan(path, reader.Length);
        long previous = previousSequence;
        long offset = 0;
        while (offset < reader.Length)
        {
            if (reader.TryRecordAt(offset, previous, out RecordHeader record, out string? why))
            {
                scan.Records.Add(new ScannedRecord(offset, record.PayloadLength, record.Sequence, record.Points, record.Format));
                previous = record.Sequence;
                offset += SpoolRecord.HeaderBytes + record.PayloadLength;
                continue;
            }

            long next = reader.FindNextValid(offset + 1, previous);
            long end = next < 0 ? reader.Length : next;
            SpoolDamage damage = reader.Describe(offset, end, why!);
            if (next < 0 && lastFile)
            {
                scan.TornTail = damage;
            }
            else
            {
                scan.Damage.Add(damage);
            }

            offset = end;
        }

        scan.LastSequence = previous;
        return scan;
    }

    /// <summary>Positional reads of one file, with the buffers a scan reuses.</summary>
    private sealed class Reader(SpoolFileSystem fileSystem, SpoolFileHandle handle, long length, SpoolFormat? format)
    {
        private readonly byte[] _header = new byte[SpoolRecord.HeaderBytes];
        private byte[] _payload = [];
        private byte[]? _search;

        public long Length { get; } = length;

        /// <summary>Whether a valid record starts at <paramref name="offset"/>; otherwise why not.</summary>
        public bool TryRecordAt(long offset, long previous, out RecordHeader record, out string? why)
        {
            record = default;
            why = null;
            if (Length - offset < SpoolRecord.HeaderBytes)
            {
                why = $"only {Length - offset} byte(s) are left, fewer than a record header's {SpoolRecord.HeaderBytes}";
                return false;
            }

            if (fileSystem.Read(handle, _header, offset) < SpoolRecord.HeaderBytes || !SpoolRecord.TryReadHeader(_header, out record))
            {
                why = "no valid record header there (magic, length, sequence, points or format)";
                return false;
            }

            if (offset + SpoolRecord.HeaderBytes + record.PayloadLength > Length)
            {
                why = $"the record's payload of {record.PayloadLength} byte(s) runs past the end of the file";
                return false;
            }

            if (format is { } expected && record.Format != expected)
            {
                why = $"the record is in the {record.Format} format, not {expected}";
                return false;
            }

            if (_payload.Length < record.PayloadLength)
            {
                _payload = new byte[record.PayloadLength];
            }

            Span<byte> body = _payload.AsSpan(0, record.PayloadLength);
            if (fileSystem.Read(handle, body, offset + SpoolRecord.HeaderBytes) < body.Length || !SpoolRecord.Verify(_header, body, record.Crc))
            {
                why = "the record's checksum (CRC-32C) does not match its bytes";
                return false;
            }

            if (record.Sequence <= previous)
            {
                why = $"the record's sequence {record.Sequence} is not above the previous record's {previous} (stale or foreign data)";
                return false;
            }

            return true;
        }

        /// <summary>The offset of the next valid record at or after <paramref name="from"/>, or -1.</summary>
        public long FindNextValid(long from, long previous)
        {
            while (true)
            {
                long candidate = FindMagic(from);
                if (candidate < 0)
                {
                    return -1;
                }

                if (TryRecordAt(candidate, previous, out _, out _))
                {
                    return candidate;
                }

                from = candidate + 1;
            }
        }

        /// <summary>
        /// A damaged range: the records whose headers still chain through it are counted with their points; a rest that
        /// no header accounts for counts as one record of unknown points.
        /// </summary>
        public SpoolDamage Describe(long start, long end, string why)
        {
            int records = 0;
            long points = 0;
            bool pointsKnown = true;
            long at = start;
            while (at < end)
            {
                if (end - at >= SpoolRecord.HeaderBytes
                    && fileSystem.Read(handle, _header, at) == SpoolRecord.HeaderBytes
                    && SpoolRecord.TryReadHeader(_header, out RecordHeader record)
                    && at + SpoolRecord.HeaderBytes + record.PayloadLength <= end)
                {
                    records++;
                    points += record.Points;
                    at += SpoolRecord.HeaderBytes + record.PayloadLength;
                    continue;
                }

                records++;
                pointsKnown = false;
                break;
            }

            return new SpoolDamage(start, end - start, records, points, pointsKnown, why);
        }

        /// <summary>The offset of the next "AGS1" at or after <paramref name="from"/>, or -1.</summary>
        private long FindMagic(long from)
        {
            _search ??= new byte[SearchChunkBytes];
            ReadOnlySpan<byte> magic = "AGS1"u8;
            while (Length - from >= SpoolRecord.HeaderBytes)
            {
                int want = (int)Math.Min(_search.Length, Length - from);
                int read = fileSystem.Read(handle, _search.AsSpan(0, want), from);
                if (read < magic.Length)
                {
                    return -1;
                }

                int found = _search.AsSpan(0, read).IndexOf(magic);
                if (found >= 0)
                {
                    return from + found;
                }

                from += read - (magic.Length - 1); // a magic split across two chunks is found in the next
            }

            return -1;
        }
    }
}
