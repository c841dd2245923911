namespace AioGraphite.Spool;

/// <summary>
/// Every file operation of the spool, in one seam: opening, positional writes and reads, syncs of files and of
/// directories, renames, deletes, listing. The default is the real disk (<see cref="RandomAccess"/> and
/// <see cref="File"/>; directories synced with <c>fsync</c> on an <c>O_DIRECTORY</c> descriptor, <see cref="SpoolNative"/>). Tests substitute a
/// file system that records every operation and "loses power" after any of them (crash-consistency tests), or a disk
/// that hangs (<c>GraphiteClientOptions.SpoolFileSystem</c>).
/// </summary>
/// <remarks>
/// The contract the spool relies on is POSIX's, no more: a write is durable only after a sync of its file; a created,
/// renamed or deleted name is durable only after a sync of its directory; a rename over an existing name is atomic.
/// </remarks>
internal class SpoolFileSystem
{
    /// <summary>The real disk.</summary>
    public static readonly SpoolFileSystem Default = new();

    /// <summary>Whether <paramref name="path"/> names an existing file.</summary>
    public virtual bool FileExists(string path) => File.Exists(path);

    /// <summary>The names (not paths) of the files in <paramref name="directory"/>.</summary>
    public virtual IEnumerable<string> ListFiles(string directory) =>
        Directory.EnumerateFiles(directory).Select(f => Path.GetFileName(f));

    /// <summary>
    /// Opens a file for positional reads and writes; with <paramref name="create"/> it must not exist yet and is created
    /// owner-only on Unix (its name is durable only after <see cref="SyncDirectory"/>).
    /// </summary>
    public virtual SpoolFileHandle Open(string path, bool create) =>
        new(SpoolDirectorySafety.OpenFile(path, create ? FileMode.CreateNew : FileMode.Open), path); // never through a symbolic link

    /// <summary>Writes <paramref name="buffers"/> at <paramref name="offset"/> (one gather write).</summary>
    public virtual void Write(SpoolFileHandle file, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long offset) => RandomAccess.Write(file.Os, buffers, offset);

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="offset"/>.</summary>
    public virtual void Write(SpoolFileHandle file, ReadOnlySpan<byte> bytes, long offset) => RandomAccess.Write(file.Os, bytes, offset);

    /// <summary>Reads into <paramref name="buffers"/> from <paramref name="offset"/>; returns the bytes read.</summary>
    public virtual long Read(SpoolFileHandle file, IReadOnlyList<Memory<byte>> buffers, long offset) => RandomAccess.Read(file.Os, buffers, offset);

    /// <summary>Reads into <paramref name="buffer"/> from <paramref name="offset"/>; returns the bytes read.</summary>
    public virtual int Read(SpoolFileHandle file, Span<byte> buffer, long offset) => RandomAccess.Read(file.Os, buffer, offset);

    /// <summary>The file's length in bytes.</summary>
    public virtual long GetLength(SpoolFileHandle file) => RandomAccess.GetLength(file.Os);

    /// <summary>Cuts (or extends) the file to <paramref name="length"/> bytes.</summary>
    public virtual void SetLength(SpoolFileHandle file, long length) => RandomAccess.SetLength(file.Os, length);

    /// <summary>Makes what was written to the file durable (fsync). Throws <see cref="IOException"/> when the disk says it could not.</summary>
    public virtual void Sync(SpoolFileHandle file) => RandomAccess.FlushToDisk(file.Os);

    /// <summary>
    /// Makes the names created, renamed or deleted in <paramref name="directory"/> durable: fsync of the directory on
    /// Linux (<see cref="SpoolNative.SyncDirectory"/>); nothing elsewhere (Windows journals names; macOS's fsync does not
    /// reach the platter anyway).
    /// </summary>
    public virtual void SyncDirectory(string directory)
    {
        if (SpoolNative.IsSupported)
        {
            SpoolNative.SyncDirectory(directory);
        }
    }

    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/> (atomically replacing it with <paramref name="overwrite"/>); durable after <see cref="SyncDirectory"/>.</summary>
    public virtual void Rename(string from, string to, bool overwrite) => File.Move(from, to, overwrite);

    /// <summary>Deletes a file if it exists; durable after <see cref="SyncDirectory"/>.</summary>
    public virtual void Delete(string path) => File.Delete(path);

    /// <summary>Bytes free for this process on the file system of <paramref name="directory"/>, or <see langword="null"/> when it cannot be told.</summary>
    public virtual long? FreeBytes(string directory)
    {
        try
        {
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Creates (owner-only) or checks the spool's <paramref name="root"/> and the destination's
    /// <paramref name="directory"/>, and takes the directory's lock (one process per spool), waiting up to
    /// <paramref name="timeout"/> for another holder (<see cref="SpoolLock.Acquire"/>); throws
    /// <see cref="GraphiteException"/> naming the holder, or the unsafe path and the fix.
    /// </summary>
    public virtual IDisposable LockDirectory(string root, string directory, TimeSpan timeout, Action<string>? waiting) =>
        SpoolLock.Acquire(root, directory, timeout, waiting);

    /// <summary>
    /// Replaces a small file whole and atomically: a temporary file is written and synced, renamed over
    /// <paramref name="path"/>, and the directory synced, so after a crash the file holds the old content or the new.
    /// </summary>
    public void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        string temporary = path + ".tmp";
        Delete(temporary);
        using (SpoolFileHandle file = Open(temporary, create: true))
        {
            Write(file, content, 0);
            Sync(file);
        }

        Rename(temporary, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>
    /// Reads a small file (the checkpoint, the identity, the holder note) never through a symbolic link: at most
    /// <paramref name="maxBytes"/> bytes (a caller that must tell an over-long file asks for one byte more than it
    /// expects); <see langword="null"/> when it does not exist.
    /// </summary>
    public byte[]? ReadSmallFile(string path, int maxBytes)
    {
        SpoolFileHandle file;
        try
        {
            file = Open(path, create: false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        using (file)
        {
            byte[] content = new byte[(int)Math.Min(maxBytes, GetLength(file))];
            int read = Read(file, content, 0);
            return read == content.Length ? content : content[..read];
        }
    }
}
