using System.Globalization;
using AioGraphite.Protocols;

namespace AioGraphite.Spool;

/// <summary>
/// The disk spool of one destination: append-only files of checksummed records (<see cref="SpoolRecord"/>), rotated at
/// a bounded size and deleted whole once every record in them is retired (consumed by carbon and out of the replay
/// window). Opening it takes the directory's lock and recovers what an earlier process left (<see cref="SpoolScanner"/>):
/// a torn tail is cut off, damage costs only the damaged records (the valid ones before and after it are sent, a copy of
/// the file is kept aside), retired records are skipped.
/// </summary>
/// <remarks>
/// Threads: the spool writer appends, syncs and retires; the sender loop reads records back (positional reads of
/// records that cannot be retired while it reads them). Counters are safe to read from any thread.
/// </remarks>
internal sealed partial class DestinationSpool : IDisposable
{
    private readonly List<SpoolFile> _files = [];
    private readonly IDisposable _lock;
    private readonly long _maxBytes;
    private readonly long _fileBytes;
    private readonly SpoolFormat _format;
    private readonly SpoolFileSystem _fs;
    private readonly List<ReadOnlyMemory<byte>> _gather = [];
    private byte[] _headers = new byte[SpoolRecord.HeaderBytes * 64];
    private readonly byte[] _readHeader = new byte[SpoolRecord.HeaderBytes]; // the sender loop's
    private readonly Memory<byte>[] _readBuffers = new Memory<byte>[2];     // the sender loop's
    private long _nextFileNumber = 1;
    private long _bytes;
    private long _records;
    private int _fileCount;
    private long _checkpointed;
    private GraphiteSpoolIdentity? _identityToWrite; // written before the first record file is created (the spool writer's)
    private bool _directoryDirty; // a file was created since the directory was last synced (the spool writer's)

    private DestinationSpool(string directory, IDisposable spoolLock, SpoolFormat format, long maxBytes, long fileBytes, SpoolFileSystem fileSystem)
    {
        _fs = fileSystem;
        Directory = directory;
        _lock = spoolLock;
        _format = format;
        _maxBytes = maxBytes;
        _fileBytes = fileBytes;
    }

    /// <summary>This destination's spool directory.</summary>
    public string Directory { get; }

    /// <summary>Size at which a file is closed and a new one started.</summary>
    public long FileBytes => _fileBytes;

    /// <summary>Bytes free for this process on the spool's file system, or <see langword="null"/> when it cannot be told.</summary>
    public long? FreeBytes() => _fs.FreeBytes(Directory);

    /// <summary>Bytes of the record files on disk.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Records in the files on disk (retired ones included until their file is deleted).</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>Record files on disk (quarantined ones excluded).</summary>
    public int Files => Volatile.Read(ref _fileCount);

    /// <summary>
    /// Opens (creating it if needed) the spool of one destination under <paramref name="root"/>, takes its lock and
    /// recovers it. Throws <see cref="GraphiteException"/> naming the path and the reason when it cannot. Every file
    /// operation goes through <paramref name="fileSystem"/> (default: the real disk, <see cref="SpoolFileSystem.Default"/>).
    /// A spool held by another process is waited for up to <paramref name="lockTimeout"/> (<paramref name="waiting"/> is
    /// told the holder when the wait begins); <paramref name="heldLock"/>, when given, is the spool's lock already taken
    /// (<see cref="SpoolLock.AcquireAsync"/>).
    /// </summary>
    public static DestinationSpool Open(string root, string host, int port, SpoolFormat format, long maxBytes, long fileBytes, out SpoolRecovery recovery, SpoolFileSystem? fileSystem = null, TimeSpan lockTimeout = default, Action<string>? waiting = null, IDisposable? heldLock = null) =>
        OpenDirectory(root, SpoolDirectoryLayout.ForDestination(root, host, port, format), new GraphiteSpoolIdentity(host, port, GraphiteTransport.Tcp, ProtocolName(format), Tls: false), maxBytes, fileBytes, out recovery, fileSystem, lockTimeout, waiting, heldLock);

    /// <summary>
    /// Opens the spool of the destination <paramref name="identity"/> names under <paramref name="root"/> (see
    /// <see cref="SpoolDirectoryLayout.ForIdentity"/>): as the other overload, and the directory must belong to that
    /// destination (its <c>identity</c> file, written when it is created, or by this open when it has none).
    /// </summary>
    public static DestinationSpool Open(string root, GraphiteSpoolIdentity identity, long maxBytes, long fileBytes, out SpoolRecovery recovery, SpoolFileSystem? fileSystem = null, TimeSpan lockTimeout = default, Action<string>? waiting = null, IDisposable? heldLock = null) =>
        OpenDirectory(root, SpoolDirectoryLayout.ForIdentity(root, identity), identity, maxBytes, fileBytes, out recovery, fileSystem, lockTimeout, waiting, heldLock);

    /// <summary>The identity's name of <paramref name="format"/>.</summary>
    public static string ProtocolName(SpoolFormat format) => format == SpoolFormat.Pickle ? GraphiteSpoolIdentity.Pickle : GraphiteSpoolIdentity.Plaintext;

    private static DestinationSpool OpenDirectory(string root, string directory, GraphiteSpoolIdentity identity, long maxBytes, long fileBytes, out SpoolRecovery recovery, SpoolFileSystem? fileSystem, TimeSpan lockTimeout, Action<string>? waiting, IDisposable? heldLock)
    {
        fileSystem ??= SpoolFileSystem.Default;
        SpoolFormat format = identity.Protocol == GraphiteSpoolIdentity.Pickle ? SpoolFormat.Pickle : SpoolFormat.Plaintext;
        IDisposable spoolLock;
        try
        {
            spoolLock = heldLock ?? fileSystem.LockDirectory(root, directory, lockTimeout, waiting); // creates or checks the directories
        }
        catch (GraphiteException)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw SpoolLock.Unusable(directory, ex);
        }

        var spool = new DestinationSpool(directory, spoolLock, format, maxBytes, fileBytes, fileSystem);
        try
        {
            spool.ClaimIdentity(identity);
            recovery = spool.Recover();
            return spool;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            spool.Dispose();
            throw new GraphiteException($"Cannot read the spool directory '{directory}': {ex.Message}", ex);
        }
        catch (GraphiteException)
        {
            spool.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks that the directory's records are for <paramref name="identity"/>: a directory without an identity file
    /// (made before they existed, or whose creator crashed before writing it) or with a damaged one gets
    /// <paramref name="identity"/>; one that names another destination is refused (its records must not go to this one:
    /// two host names the directory name cannot tell apart, such as <c>a:b</c> and <c>a_b</c>).
    /// </summary>
    private void ClaimIdentity(GraphiteSpoolIdentity identity)
    {
        SpoolIdentityFile.State state = SpoolIdentityFile.Read(_fs, Directory, out GraphiteSpoolIdentity? found);
        if (state == SpoolIdentityFile.State.Valid && !found!.SameDestinationAs(identity))
        {
            throw new GraphiteException($"The spool directory '{Directory}' holds records for {found}, not for {identity} (its identity file): move it aside, or send its records with 'aiographite spool drain {Directory}'.");
        }

        if (found == identity)
        {
            return;
        }

        // New, legacy, damaged, or the same listener now over TLS (or not). An empty directory gets it with its first
        // record file (on the spool writer, which copes with a disk that fails or hangs); one with records at once.
        if (_fs.ListFiles(Directory).Any(name => name.EndsWith(SpoolDirectoryLayout.FileExtension, StringComparison.Ordinal)))
        {
            SpoolIdentityFile.Write(_fs, Directory, identity);
        }
        else
        {
            _identityToWrite = identity;
        }
    }

    /// <summary>
    /// Appends one record per segment, in order, with one gather write (rotating first when the current file is full).
    /// Records their locations into <paramref name="locations"/>. Returns false, with the reason, when the spool is full
    /// (<c>SpoolMaxBytes</c>) or the write failed (a full disk, an I/O error); nothing of the batch counts then.
    /// </summary>
    public bool TryAppend(IReadOnlyList<Segment> segments, List<SpoolLocation> locations, out string? failure)
    {
        failure = null;
        long batchBytes = 0;
        foreach (Segment s in segments)
        {
            batchBytes += SpoolRecord.HeaderBytes + s.Length;
        }

        if (Bytes + QuarantinedBytes + batchBytes > _maxBytes)
        {
            foreach ((string path, long bytes) in PruneQuarantine(batchBytes)) // copies of damaged files give way first
            {
                QuarantinePruned?.Invoke(path, bytes);
            }
        }

        if (Bytes + QuarantinedBytes + batchBytes > _maxBytes)
        {
            failure = $"the spool is full ({_maxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes, SpoolMaxBytes)";
            return false;
        }

        SpoolFile file;
        try
        {
            file = FileForAppend(batchBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = ex.Message;
            return false;
        }

        if (_headers.Length < segments.Count * SpoolRecord.HeaderBytes)
        {
            _headers = new byte[segments.Count * SpoolRecord.HeaderBytes];
        }

        _gather.Clear();
        long offset = file.Length;
        for (int i = 0; i < segments.Count; i++)
        {
            Segment s = segments[i];
            Memory<byte> header = _headers.AsMemory(i * SpoolRecord.HeaderBytes, SpoolRecord.HeaderBytes);
            SpoolRecord.WriteHeader(header.Span, s.Buffer.AsSpan(0, s.Length), s.Sequence, s.Points, _format);
            _gather.Add(header);
            _gather.Add(s.Buffer.AsMemory(0, s.Length));
        }

        try
        {
            _fs.Write(file.Handle, _gather, file.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = ex.Message;
            Abandon(_fs, file);
            return false;
        }
        finally
        {
            _gather.Clear();
        }

        foreach (Segment s in segments)
        {
            locations.Add(new SpoolLocation(file, offset, s.Length, s.Sequence, s.Points));
            offset += SpoolRecord.HeaderBytes + s.Length;
        }

        file.Length = offset;
        file.LastSequence = segments[^1].Sequence;
        file.Records += segments.Count;
        file.Dirty = true;
        Count(batchBytes, segments.Count, files: 0);
        return true;
    }

    /// <summary>
    /// Makes the appends since the last failed sync durable: fsync of the files written since the last sync, then of the
    /// directory when a file was created since (a synced file whose name is not is lost whole by a power cut). Throws
    /// <see cref="IOException"/> when the disk says it could not; then nothing appended since the last successful sync
    /// is durable, and no later sync makes it so (the caller must not count it as durable).
    /// </summary>
    public void Sync()
    {
        try
        {
            foreach (SpoolFile file in _files)
            {
                if (file.Dirty)
                {
                    _fs.Sync(file.Handle);
                    file.Dirty = false;
                }
            }

            if (_directoryDirty)
            {
                _fs.SyncDirectory(Directory);
                _directoryDirty = false;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // fsyncgate: after a failed fsync Linux may have dropped the file's dirty pages and marked them clean, so the
            // next fsync "succeeds" without writing them. Appends after them in the same file would then follow a hole: a
            // power cut would leave those synced records behind damage. So the file that takes appends takes no more (the
            // next append starts a new file, whose syncs vouch for its own records only).
            if (_files.Count > 0)
            {
                _files[^1].Sealed = true;
            }

            throw;
        }
    }

    /// <summary>
    /// Reads a record back into <paramref name="into"/> (header and payload in one read); false when its bytes no longer
    /// match their checksum. From the sender loop only.
    /// </summary>
    public bool TryRead(in SpoolLocation location, Segment into)
    {
        if (into.Buffer.Length < location.PayloadLength)
        {
            return false;
        }

        _readBuffers[0] = _readHeader;
        _readBuffers[1] = into.Buffer.AsMemory(0, location.PayloadLength);
        long read;
        try
        {
            read = _fs.Read(location.File.Handle, _readBuffers, location.Offset);
        }
        finally
        {
            _readBuffers[1] = default; // the segment goes back to the pool
        }

        if (read != SpoolRecord.HeaderBytes + location.PayloadLength
            || !SpoolRecord.TryReadHeader(_readHeader, out RecordHeader record)
            || record.Sequence != location.Sequence || record.PayloadLength != location.PayloadLength
            || !SpoolRecord.Verify(_readHeader, into.Buffer.AsSpan(0, location.PayloadLength), record.Crc))
        {
            return false;
        }

        into.Length = record.PayloadLength;
        into.Points = record.Points;
        into.Sequence = record.Sequence;
        return true;
    }

    /// <summary>
    /// Every record at or below <paramref name="sequence"/> is retired: deletes the files that hold nothing else (not
    /// the one being appended to unless it is fully retired) and, now and then, writes the checkpoint.
    /// </summary>
    public void RetireThrough(long sequence, bool writeCheckpoint)
    {
        DeleteFiles(file => file.Records > 0 && file.LastSequence <= sequence);
        if (writeCheckpoint && sequence > _checkpointed)
        {
            SpoolCheckpoint.Write(_fs, Directory, sequence);
            _checkpointed = sequence;
        }
    }

    /// <summary>Deletes the files and the checkpoint when nothing in them is left to send (a clean close).</summary>
    public void RemoveIfEmpty(long retiredThrough)
    {
        RetireThrough(retiredThrough, writeCheckpoint: false);
        if (_files.Any(f => f.Records > 0))
        {
            SpoolCheckpoint.Write(_fs, Directory, retiredThrough);
            return;
        }

        foreach (SpoolFile file in _files)
        {
            Delete(file);
        }

        _files.Clear();
        SpoolCheckpoint.Delete(_fs, Directory);
        _fs.SyncDirectory(Directory);
    }

    public void Dispose()
    {
        foreach (SpoolFile file in _files)
        {
            file.Dispose();
        }

        _files.Clear();
        _lock.Dispose(); // an empty spool leaves nothing behind: the lock removes its directory, under the lock
    }

    private SpoolFile FileForAppend(long batchBytes)
    {
        SpoolFile? last = _files.Count > 0 ? _files[^1] : null;
        if (last is not null && !last.Sealed && (last.Records == 0 || last.Length + batchBytes <= _fileBytes))
        {
            return last;
        }

        if (_identityToWrite is { } identity)
        {
            SpoolIdentityFile.Write(_fs, Directory, identity); // before the first record it is about
            _identityToWrite = null;
        }

        long number = _nextFileNumber++;
        string path = Path.Combine(Directory, SpoolFile.NameFor(number));
        SpoolFileHandle handle = _fs.Open(path, create: true);
        _directoryDirty = true; // the new name is durable only once the directory is synced (Sync)
        var file = new SpoolFile(number, path, handle, 0);
        _files.Add(file);
        Count(0, 0, files: 1);
        return file;
    }

    /// <summary>A write failed part-way: cut the file back to its whole records, or, when even that fails, stop appending to it.</summary>
    private static void Abandon(SpoolFileSystem fileSystem, SpoolFile file)
    {
        try
        {
            fileSystem.SetLength(file.Handle, file.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Its tail is garbage now: a new file takes the next records, and recovery reports that tail as damage (its points were never counted as spooled).
            file.Sealed = true;
        }
    }

    /// <summary>Deletes (and forgets) the files that <paramref name="done"/> says hold nothing left to send.</summary>
    private void DeleteFiles(Predicate<SpoolFile> done)
    {
        bool deleted = false;
        for (int i = 0; i < _files.Count; i++)
        {
            if (done(_files[i]))
            {
                Delete(_files[i]);
                _files.RemoveAt(i--);
                deleted = true;
            }
        }

        if (deleted)
        {
            _fs.SyncDirectory(Directory);
        }
    }

    private void Delete(SpoolFile file)
    {
        file.Dispose();
        _fs.Delete(file.Path);
        Uncount(file);
    }

    /// <summary>Adds to the counters that <see cref="Bytes"/>, <see cref="Records"/> and <see cref="Files"/> read (any thread).</summary>
    private void Count(long bytes, long records, int files)
    {
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Add(ref _records, records);
        Interlocked.Add(ref _fileCount, files);
    }

    /// <summary>A file leaves the counters (deleted, or quarantined).</summary>
    private void Uncount(SpoolFile file) => Count(-file.Length, -file.Records, files: -1);

    private SpoolRecovery Recover()
    {
        var recovery = new SpoolRecovery();
        long retired = Math.Max(0, SpoolCheckpoint.Read(_fs, Directory)); // none or unreadable: every record on disk is sent again

        _checkpointed = retired;
        long lastOnDisk = 0; // the last valid record's sequence so far: records rise through the files
        var numbers = new List<long>();
        long highestCopied = 0;
        foreach (string name in _fs.ListFiles(Directory))
        {
            if (name.EndsWith(SpoolDirectoryLayout.FileExtension, StringComparison.Ordinal)
                && long.TryParse(Path.GetFileNameWithoutExtension(name), NumberStyles.None, CultureInfo.InvariantCulture, out long number))
            {
                numbers.Add(number);
            }
            else if (name.EndsWith(SpoolDirectoryLayout.FileExtension + SpoolDirectoryLayout.QuarantineSuffix, StringComparison.Ordinal))
            {
                string path = Path.Combine(Directory, name);
                using SpoolFileHandle kept = _fs.Open(path, create: false);
                AddQuarantined(path, _fs.GetLength(kept));
                if (long.TryParse(name.AsSpan(0, name.IndexOf('.', StringComparison.Ordinal)), NumberStyles.None, CultureInfo.InvariantCulture, out long copied))
                {
                    highestCopied = Math.Max(highestCopied, copied); // its number is never used again: a copy names one file
                }
            }
        }

        numbers.Sort();
        for (int i = 0; i < numbers.Count; i++)
        {
            long number = numbers[i];
            _nextFileNumber = number + 1;
            string path = Path.Combine(Directory, SpoolFile.NameFor(number));
            var file = new SpoolFile(number, path, _fs.Open(path, create: false), 0);
            _files.Add(file);
            Count(0, 0, files: 1);
            lastOnDisk = Scan(file, isLast: i == numbers.Count - 1, retired, lastOnDisk, recovery);
        }

        _nextFileNumber = Math.Max(_nextFileNumber, highestCopied + 1);
        recovery.HighestSequence = Math.Max(retired, lastOnDisk);
        recovery.PrunedQuarantine.AddRange(PruneQuarantine(0));

        // Files holding only retired records (or nothing at all) go at once.
        DeleteFiles(file => file.LastSequence <= retired);

        if (recovery.Records.Count == 0 && _files.Count == 0)
        {
            SpoolCheckpoint.Delete(_fs, Directory); // an empty spool is cleaned up
            _fs.SyncDirectory(Directory);
        }

        return recovery;
    }

    /// <summary>
    /// Reads one file with <see cref="SpoolScanner"/> and acts on what it found: its valid records not yet retired are to
    /// be sent (those after damage too); a torn tail (last file) is cut; damage that may hold unsent points is counted and
    /// the file is copied aside (<see cref="KeepAside"/>) for an operator. A record must carry a higher sequence than
    /// <paramref name="previous"/> (the one before it on disk; records at or below the checkpoint's
    /// <paramref name="retired"/> are valid, only not sent again). Returns the sequence of the file's last valid record,
    /// or <paramref name="previous"/> when it has none.
    /// </summary>
    private long Scan(SpoolFile file, bool isLast, long retired, long previous, SpoolRecovery recovery)
    {
        SpoolScan scan = SpoolScanner.Scan(_fs, file.Handle, file.Path, previous, _format, isLast);
        foreach (ScannedRecord record in scan.Records)
        {
            if (record.Sequence > retired)
            {
                recovery.Records.Add(new SpoolLocation(file, record.Offset, record.PayloadLength, record.Sequence, record.Points));
                recovery.Points += record.Points;
            }

            file.Records++;
            file.LastSequence = record.Sequence;
        }

        file.Length = scan.ValidLength;
        if (scan.TornTail is not null)
        {
            // A crash during an append: the incomplete record at the end never counted as spooled.
            _fs.SetLength(file.Handle, file.Length);
            _fs.Sync(file.Handle); // the cut is durable before anything is appended after it
            recovery.TornTails++;
        }

        Count(file.Length, file.Records, files: 0);

        // Damage followed by a retired record was retired too (carbon had what it held): it costs nothing.
        List<SpoolDamage> damage = scan.Damage.FindAll(d => scan.Records.FindIndex(r => r.Offset > d.Offset) is var next && (next < 0 || scan.Records[next].Sequence > retired));
        if (damage.Count > 0)
        {
            string? keptAs = KeepAside(file, scan.Length, out string? failure);
            recovery.Damaged.Add(new SpoolFileDamage(file.Path, damage, keptAs, failure));
        }

        return scan.LastSequence;
    }
}
