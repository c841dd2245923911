namespace AioGraphite.Spool;

/// <summary>What <see cref="SpoolScanner"/> found in one record file.</summary>
internal sealed class SpoolScan(string path, long length)
{
    /// <summary>The file scanned.</summary>
    public string Path { get; } = path;

    /// <summary>The file's length when it was scanned.</summary>
    public long Length { get; } = length;

    /// <summary>Valid records, in file order (their sequences rise).</summary>
    public List<ScannedRecord> Records { get; } = [];

    /// <summary>Damaged ranges, in file order: before a valid record, or at the end of a file that is not the last.</summary>
    public List<SpoolDamage> Damage { get; } = [];

    /// <summary>The invalid stretch at the end of the last file with nothing valid after it (an interrupted append), or <see langword="null"/>.</summary>
    public SpoolDamage? TornTail { get; set; }

    /// <summary>The sequence of the last valid record, or the previous sequence the scan was given when it found none.</summary>
    public long LastSequence { get; set; }

    /// <summary>Where the valid records end: the end of the last one before a torn tail (the whole file without one).</summary>
    public long ValidLength => TornTail is { } tail ? tail.Offset : Length;
}
