using AioGraphite.Spool;

namespace AioGraphite.Tests.Support;

/// <summary>What survives a simulated power loss of a <see cref="CrashingFileSystem"/>, beyond what was synced.</summary>
internal enum CrashState
{
    /// <summary>Every unsynced write, set-length, create, rename and delete is lost.</summary>
    LoseAll,

    /// <summary>Everything reached the disk (what a process kill leaves).</summary>
    KeepAll,

    /// <summary>Everything reached the disk but the last unsynced write of each file, of which only a prefix did (its length from the seed).</summary>
    TornLast,

    /// <summary>
    /// Each unsynced write or set-length independently lost, kept, or kept in 16-byte "sectors" of which some are lost (a later
    /// one can survive without an earlier one); each unsynced create, rename and delete independently happened or not (by the seed).
    /// </summary>
    Reordered,
}

/// <summary>
/// An in-memory <see cref="SpoolFileSystem"/> that records every operation and can "lose power" after any of them, keeping
/// only what a POSIX page cache guarantees: a file's data as of its last successful sync, and the names of a directory as of
/// its last sync; what came after may vanish, survive, survive in part or out of order (<see cref="CrashState"/>). Modelled
/// on ALICE (OSDI 2014), LevelDB/RocksDB's FaultInjectionTestEnv and SQLite's crash-test VFS. A failed sync behaves as Linux
/// after "fsyncgate": the writes it should have made durable never will be (their pages are marked clean), though reads
/// still see them until the crash. Thread-safe (one lock), so a whole client can run on it.
/// </summary>
internal sealed class CrashingFileSystem : SpoolFileSystem
{
    private const int SectorBytes = 16; // POSIX promises no atomic unit; small sectors tear small records

    private readonly Lock _sync = new();
    private readonly Dictionary<string, Inode> _names = new(StringComparer.Ordinal);         // what the process sees
    private readonly Dictionary<string, Inode> _durableNames = new(StringComparer.Ordinal);  // as of each directory's last sync
    private readonly List<NameOp> _pendingNames = [];                                        // since then, in order
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private readonly List<long> _syncTimes = [];

    /// <summary>Operations done so far that change the disk (create, write, set-length, sync, directory sync, rename, delete).</summary>
    public int Operations { get; private set; }

    /// <summary>Power is lost right after this many operations: every later call throws <see cref="PowerLostException"/>.</summary>
    public int? CrashAfter { get; set; }

    /// <summary>Whether the power was lost.</summary>
    public bool Crashed { get; private set; }

    /// <summary>
    /// Called before each changing operation with its index (from 0), kind and path; true makes it fail with an
    /// <see cref="IOException"/>: a write then leaves half its bytes (a short write on a full disk), a sync drops the file's
    /// unsynced writes from durability (fsyncgate), a set-length or directory sync does nothing.
    /// </summary>
    public Func<int, string, string, bool>? Fault { get; set; }

    /// <summary>Every changing operation so far ("sync /x/000000000001.spool"), for failure messages.</summary>
    public List<string> Log { get; } = [];

    /// <summary>Successful file syncs so far.</summary>
    public int Syncs { get; private set; }

    /// <summary>The clock's timestamp of each successful sync of a record file, when a clock is given.</summary>
    public long[] SyncTimes()
    {
        lock (_sync)
        {
            return [.. _syncTimes];
        }
    }

    /// <summary>A clock whose timestamps <see cref="SyncTimes"/> records.</summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>
    /// The disk as a power loss right now could leave it (<paramref name="state"/>, choices from <paramref name="seed"/>): a
    /// new file system whose content is all durable and that counts operations from 0.
    /// </summary>
    public CrashingFileSystem Crash(CrashState state, int seed)
    {
        lock (_sync)
        {
            var random = new Random(seed);
            var names = new Dictionary<string, Inode>(_durableNames, StringComparer.Ordinal);
            foreach (NameOp op in _pendingNames)
            {
                bool happened = state switch
                {
                    CrashState.LoseAll => false,
                    CrashState.Reordered => random.Next(2) == 0,
                    _ => true,
                };
                if (!happened)
                {
                    continue;
                }

                switch (op.Kind)
                {
                    case NameKind.Create:
                        names.TryAdd(op.Path, op.Inode!);
                        break;
                    case NameKind.Delete:
                        names.Remove(op.Path);
                        break;
                    case NameKind.Rename when names.Remove(op.Path, out Inode? moved):
                        names[op.To!] = moved;
                        break;
                }
            }

            var image = new CrashingFileSystem { Clock = Clock };
            image._directories.UnionWith(_directories);
            var contents = new Dictionary<Inode, Inode>();
            foreach ((string path, Inode inode) in names)
            {
                if (!contents.TryGetValue(inode, out Inode? copy))
                {
                    copy = new Inode(inode.Survivor(state, random));
                    contents[inode] = copy;
                }

                image._names[path] = copy;
                image._durableNames[path] = copy;
            }

            return image;
        }
    }

    /// <summary>The content of <paramref name="path"/> as the process sees it (null when there is none).</summary>
    public byte[]? Content(string path)
    {
        lock (_sync)
        {
            return _names.TryGetValue(path, out Inode? inode) ? [.. inode.Data] : null;
        }
    }

    /// <summary>Replaces bytes of a file in place and durably, as bit rot or a foreign writer would (not an operation).</summary>
    public void Damage(string path, long offset, ReadOnlySpan<byte> bytes)
    {
        lock (_sync)
        {
            Inode inode = _names[path];
            inode.Write(offset, bytes.ToArray());
            inode.Durable = [.. inode.Data];
        }
    }

    /// <summary>The names of every file, sorted.</summary>
    public string[] Files()
    {
        lock (_sync)
        {
            return [.. _names.Keys.Order(StringComparer.Ordinal)];
        }
    }

    public override bool FileExists(string path)
    {
        lock (_sync)
        {
            Alive();
            return _names.ContainsKey(path);
        }
    }

    public override IEnumerable<string> ListFiles(string directory)
    {
        lock (_sync)
        {
            Alive();
            return [.. _names.Keys.Where(p => Path.GetDirectoryName(p) == directory).Select(p => Path.GetFileName(p))];
        }
    }

    public override SpoolFileHandle Open(string path, bool create)
    {
        lock (_sync)
        {
            Alive();
            if (!create)
            {
                return _names.TryGetValue(path, out Inode? existing) ? new Handle(path, existing) : throw new FileNotFoundException($"No file '{path}'.", path);
            }

            if (_names.ContainsKey(path))
            {
                throw new IOException($"The file '{path}' already exists.");
            }

            Begin("create", path);
            var inode = new Inode([]);
            _names[path] = inode;
            _pendingNames.Add(new NameOp(NameKind.Create, path, null, inode));
            End();
            return new Handle(path, inode);
        }
    }

    public override void Write(SpoolFileHandle file, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long offset)
    {
        var all = new List<byte>();
        foreach (ReadOnlyMemory<byte> b in buffers)
        {
            all.AddRange(b.Span);
        }

        Write(file, [.. all], offset);
    }

    public override void Write(SpoolFileHandle file, ReadOnlySpan<byte> bytes, long offset)
    {
        lock (_sync)
        {
            Alive();
            Inode inode = ((Handle)file).Inode;
            if (Begin("write", file.Path))
            {
                inode.Write(offset, bytes[..(bytes.Length / 2)].ToArray());
                End();
                throw new IOException($"Injected: no space left on the device (write of '{file.Path}').");
            }

            inode.Write(offset, bytes.ToArray());
            End();
        }
    }

    public override long Read(SpoolFileHandle file, IReadOnlyList<Memory<byte>> buffers, long offset)
    {
        long read = 0;
        foreach (Memory<byte> b in buffers)
        {
            int n = Read(file, b.Span, offset + read);
            read += n;
            if (n < b.Length)
            {
                break;
            }
        }

        return read;
    }

    public override int Read(SpoolFileHandle file, Span<byte> buffer, long offset)
    {
        lock (_sync)
        {
            Alive();
            List<byte> data = ((Handle)file).Inode.Data;
            int n = (int)Math.Clamp(data.Count - offset, 0, buffer.Length);
            for (int i = 0; i < n; i++)
            {
                buffer[i] = data[(int)offset + i];
            }

            return n;
        }
    }

    public override long GetLength(SpoolFileHandle file)
    {
        lock (_sync)
        {
            Alive();
            return ((Handle)file).Inode.Data.Count;
        }
    }

    public override void SetLength(SpoolFileHandle file, long length)
    {
        lock (_sync)
        {
            Alive();
            if (Begin("set-length", file.Path))
            {
                End();
                throw new IOException($"Injected: set-length of '{file.Path}' failed.");
            }

            ((Handle)file).Inode.SetLength(length);
            End();
        }
    }

    public override void Sync(SpoolFileHandle file)
    {
        lock (_sync)
        {
            Alive();
            Inode inode = ((Handle)file).Inode;
            if (Begin("sync", file.Path))
            {
                inode.Pending.Clear(); // fsyncgate: those pages are clean now, and will never be written
                End();
                throw new IOException($"Injected: fsync of '{file.Path}' failed (EIO).");
            }

            inode.Durable = inode.Apply(inode.Durable, inode.Pending, CrashState.KeepAll, null);
            inode.Pending.Clear();
            Syncs++;
            if (Clock is not null && file.Path.EndsWith(SpoolDirectoryLayout.FileExtension, StringComparison.Ordinal))
            {
                _syncTimes.Add(Clock.GetTimestamp());
            }

            End();
        }
    }

    public override void SyncDirectory(string directory)
    {
        lock (_sync)
        {
            Alive();
            if (Begin("sync-dir", directory))
            {
                End();
                throw new IOException($"Injected: fsync of the directory '{directory}' failed (EIO).");
            }

            // The directory's entries as the process sees them become durable; other directories' pending changes stay.
            foreach (string path in _durableNames.Keys.Where(p => Path.GetDirectoryName(p) == directory).ToList())
            {
                _durableNames.Remove(path);
            }

            foreach ((string path, Inode inode) in _names.Where(e => Path.GetDirectoryName(e.Key) == directory))
            {
                _durableNames[path] = inode;
            }

            _pendingNames.RemoveAll(op => Path.GetDirectoryName(op.Path) == directory);
            End();
        }
    }

    public override void Rename(string from, string to, bool overwrite)
    {
        lock (_sync)
        {
            Alive();
            if (!_names.TryGetValue(from, out Inode? inode))
            {
                throw new FileNotFoundException($"No file '{from}'.", from);
            }

            if (!overwrite && _names.ContainsKey(to))
            {
                throw new IOException($"The file '{to}' already exists.");
            }

            Begin("rename", $"{from} -> {to}");
            _names.Remove(from);
            _names[to] = inode;
            _pendingNames.Add(new NameOp(NameKind.Rename, from, to, null));
            End();
        }
    }

    public override void Delete(string path)
    {
        lock (_sync)
        {
            Alive();
            if (!_names.ContainsKey(path))
            {
                return; // File.Delete of a missing file: nothing happens, nothing to lose
            }

            Begin("delete", path);
            _names.Remove(path);
            _pendingNames.Add(new NameOp(NameKind.Delete, path, null, null));
            End();
        }
    }

    public override long? FreeBytes(string directory) => null;

    /// <summary>Creates the directory (durable at once: the spool's directory is made before the test's story starts) and "locks" it (one process here).</summary>
    public override IDisposable LockDirectory(string root, string directory, TimeSpan timeout, Action<string>? waiting)
    {
        lock (_sync)
        {
            Alive();
            _directories.Add(directory);
            return new NoLock();
        }
    }

    /// <summary>Throws once the power is lost: the process died with it.</summary>
    private void Alive()
    {
        if (Crashed)
        {
            throw new PowerLostException();
        }
    }

    /// <summary>Logs a changing operation about to be done; true when <see cref="Fault"/> makes it fail.</summary>
    private bool Begin(string kind, string path)
    {
        bool fail = Fault?.Invoke(Operations, kind, path) == true;
        Log.Add($"{Operations}: {kind} {path}{(fail ? " (fails)" : string.Empty)}");
        return fail;
    }

    /// <summary>An operation is done: counts it, and loses the power when it was the last one before the crash.</summary>
    private void End()
    {
        Operations++;
        if (Operations == CrashAfter)
        {
            Crashed = true;
        }
    }

    private enum NameKind
    {
        Create,
        Rename,
        Delete,
    }

    private sealed record NameOp(NameKind Kind, string Path, string? To, Inode? Inode);

    /// <summary>A write at an offset, or a set-length (<see cref="Bytes"/> null), not yet synced.</summary>
    private sealed record DataOp(long Offset, byte[]? Bytes);

    private sealed class Inode(List<byte> durable)
    {
        /// <summary>What the process reads.</summary>
        public List<byte> Data { get; } = [.. durable];

        /// <summary>What a crash leaves at least (as of the last successful sync).</summary>
        public List<byte> Durable { get; set; } = durable;

        /// <summary>Writes and set-lengths since the last sync, in order.</summary>
        public List<DataOp> Pending { get; } = [];

        public void Write(long offset, byte[] bytes)
        {
            Put(Data, offset, bytes);
            Pending.Add(new DataOp(offset, bytes));
        }

        public void SetLength(long length)
        {
            Resize(Data, length);
            Pending.Add(new DataOp(length, null));
        }

        /// <summary>What a crash in <paramref name="state"/> leaves of this file.</summary>
        public List<byte> Survivor(CrashState state, Random random) => Apply(Durable, Pending, state, random);

        /// <summary><paramref name="start"/> with the <paramref name="ops"/> that survive <paramref name="state"/> applied.</summary>
        public List<byte> Apply(List<byte> start, List<DataOp> ops, CrashState state, Random? random)
        {
            List<byte> data = [.. start];
            for (int i = 0; i < ops.Count; i++)
            {
                DataOp op = ops[i];
                switch (state)
                {
                    case CrashState.LoseAll:
                        return data;
                    case CrashState.TornLast when i == ops.Count - 1 && op.Bytes is not null:
                        Put(data, op.Offset, op.Bytes[..random!.Next(op.Bytes.Length)]);
                        continue;
                    case CrashState.Reordered:
                        int choice = random!.Next(5);
                        if (choice < 2)
                        {
                            continue; // lost
                        }

                        if (choice == 4 && op.Bytes is not null)
                        {
                            for (int s = 0; s < op.Bytes.Length; s += SectorBytes)
                            {
                                if (random.Next(2) == 0)
                                {
                                    Put(data, op.Offset + s, op.Bytes[s..Math.Min(op.Bytes.Length, s + SectorBytes)]);
                                }
                            }

                            continue;
                        }

                        break;
                }

                if (op.Bytes is null)
                {
                    Resize(data, op.Offset);
                }
                else
                {
                    Put(data, op.Offset, op.Bytes);
                }
            }

            return data;
        }

        private static void Put(List<byte> data, long offset, byte[] bytes)
        {
            if (data.Count < offset + bytes.Length)
            {
                Resize(data, offset + bytes.Length);
            }

            for (int i = 0; i < bytes.Length; i++)
            {
                data[(int)offset + i] = bytes[i];
            }
        }

        private static void Resize(List<byte> data, long length)
        {
            if (data.Count > length)
            {
                data.RemoveRange((int)length, data.Count - (int)length);
            }
            else
            {
                data.AddRange(new byte[length - data.Count]);
            }
        }
    }

    private sealed class Handle(string path, Inode inode) : SpoolFileHandle(path)
    {
        public Inode Inode { get; } = inode;
    }

    private sealed class NoLock : IDisposable
    {
        public void Dispose()
        {
        }
    }
}

/// <summary>The simulated power loss of a <see cref="CrashingFileSystem"/>: the process dies with it (not an <see cref="IOException"/>, so no code handles it).</summary>
internal sealed class PowerLostException : Exception
{
    public PowerLostException()
        : base("The power was lost (simulated crash).")
    {
    }
}
