namespace AioGraphite.Spool;

/// <summary>One append-only file of a spool: records in sequence order, deleted whole once all of them are retired.</summary>
internal sealed class SpoolFile : IDisposable
{
    public SpoolFile(long number, string path, SpoolFileHandle handle, long length)
    {
        Number = number;
        Path = path;
        Handle = handle;
        Length = length;
    }

    /// <summary>The file's number: files are read and written in this order.</summary>
    public long Number { get; }

    public string Path { get; private set; }

    public SpoolFileHandle Handle { get; }

    /// <summary>Bytes of whole records (where the next record goes).</summary>
    public long Length { get; set; }

    /// <summary>The highest sequence of a record in it (0 while empty).</summary>
    public long LastSequence { get; set; }

    /// <summary>Records in it.</summary>
    public int Records { get; set; }

    /// <summary>Written since the last sync.</summary>
    public bool Dirty { get; set; }

    /// <summary>No more appends (a failed write left bytes after its last record, or a failed sync may have dropped some of it).</summary>
    public bool Sealed { get; set; }

    /// <summary>The file name for <paramref name="number"/>.</summary>
    public static string NameFor(long number) => $"{number:D12}{SpoolDirectoryLayout.FileExtension}";

    public void Dispose() => Handle.Dispose();
}
