namespace AioGraphite.Spool;

/// <summary>A valid record found by <see cref="SpoolScanner"/>: the offset of its header and what its header says.</summary>
internal readonly record struct ScannedRecord(long Offset, int PayloadLength, long Sequence, int Points, SpoolFormat Format)
{
    /// <summary>Header and payload.</summary>
    public long Bytes => SpoolRecord.HeaderBytes + PayloadLength;
}
