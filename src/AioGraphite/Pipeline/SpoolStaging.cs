using AioGraphite.Protocols;
using AioGraphite.Spool;

namespace AioGraphite.Pipeline;

/// <summary>
/// With a disk spool, the buffer's side of it: sealed segments waiting for the spool writer
/// (<see cref="BatchDurability.Pending"/>, oldest first), where the queued spooled ones are on disk, and the records
/// that are on disk only (recovered at start, or evicted from memory when the buffer was full), which are sent first.
/// No lock of its own: every member but <see cref="TakesData"/> and <see cref="Wake"/> is called with the destination's
/// lock held, by producers (sealing, eviction), the sender loop (taking) and the spool writer (taking, marking, suspending).
/// Without <see cref="Attach"/> it stages nothing (no spool).
/// </summary>
internal sealed class SpoolStaging
{
    // Under the destination's lock.
    private readonly Queue<Batch> _toSpool = new();
    private readonly Queue<SpoolLocation> _spooledInQueue = new();
    private readonly Queue<SpoolLocation> _onDiskOnly = new();
    private Action _wakeWriter = static () => { }; // no spool attached: nothing to wake
    private int _wakeAfterSegments = 1; // segments waiting for the spool that make a seal wake its writer (below: its timer)

    // Written under the destination's lock; read by producers without it.
    private volatile bool _healthy;

    /// <summary>Whether a spool is attached and working: a full buffer then frees room as fast as the disk takes data. Any thread.</summary>
    public bool TakesData => _healthy;

    /// <summary>Sealed segments waiting for the spool writer.</summary>
    public int WaitingCount => _toSpool.Count;

    /// <summary>Records on disk only, waiting to be read back.</summary>
    public int OnDiskOnlyCount => _onDiskOnly.Count;

    /// <summary>The sequence of the oldest record on disk only; <see cref="OnDiskOnlyCount"/> must be positive.</summary>
    public long OldestOnDiskOnly => _onDiskOnly.Peek().Sequence;

    /// <summary>
    /// Attaches the spool: sealed segments wait for <paramref name="wakeWriter"/>'s writer, which a seal wakes once
    /// <paramref name="wakeAfterSegments"/> wait; <paramref name="recovered"/> (what an earlier process left) is sent first.
    /// </summary>
    public void Attach(Action wakeWriter, int wakeAfterSegments, IEnumerable<SpoolLocation> recovered)
    {
        _wakeWriter = wakeWriter;
        _wakeAfterSegments = wakeAfterSegments;
        _healthy = true;
        foreach (SpoolLocation record in recovered)
        {
            _onDiskOnly.Enqueue(record);
        }
    }

    /// <summary>
    /// A segment was sealed and queued: with a working spool it waits for the writer. Returns true when the writer should
    /// be woken (the caller calls <see cref="Wake"/> after releasing the lock).
    /// </summary>
    public bool Sealed(Batch s)
    {
        if (!_healthy)
        {
            return false; // no spool attached (never healthy), or it failed: the batch stays in memory only
        }

        s.Durability = BatchDurability.Pending;
        _toSpool.Enqueue(s);
        return _toSpool.Count >= _wakeAfterSegments;
    }

    /// <summary>Wakes the spool writer. Called with no lock held.</summary>
    public void Wake() => _wakeWriter();

    /// <summary>The spool writer's work: up to <paramref name="maxBytes"/> of segments waiting for it, oldest first (they stay queued).</summary>
    public void TakeToSpool(List<Batch> into, int maxBytes)
    {
        int bytes = 0;
        foreach (Batch s in _toSpool)
        {
            if (into.Count > 0 && bytes + s.Length > maxBytes)
            {
                break;
            }

            into.Add(s);
            bytes += s.Length;
        }
    }

    /// <summary>The spool writer appended <paramref name="batch"/> (the oldest waiting segments) at <paramref name="locations"/>.</summary>
    public void MarkSpooled(List<Batch> batch, List<SpoolLocation> locations)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            Batch s = _toSpool.Dequeue();
            System.Diagnostics.Debug.Assert(ReferenceEquals(s, batch[i]), "segments are spooled in order");
            s.Durability = BatchDurability.Spooled;
            _spooledInQueue.Enqueue(locations[i]);
        }
    }

    /// <summary>The spool failed: what waits for it stays in memory only, and so do new segments until <see cref="Resume"/>.</summary>
    public void Suspend()
    {
        _healthy = false;
        while (_toSpool.Count > 0)
        {
            _toSpool.Dequeue().Durability = BatchDurability.MemoryOnly;
        }
    }

    /// <summary>The spool works again: new segments go to it.</summary>
    public void Resume() => _healthy = true;

    /// <summary>
    /// The buffer is full and <paramref name="oldest"/> heads its queue: when it is on disk its record becomes on-disk-only
    /// (read back when its turn comes) and true is returned; the caller then dequeues it and returns it to the pool.
    /// </summary>
    public bool TryEvict(Batch oldest)
    {
        if (oldest.Durability != BatchDurability.Spooled)
        {
            // Not on disk (never, without a spool): it may not leave memory.
            return false;
        }

        _onDiskOnly.Enqueue(_spooledInQueue.Dequeue());
        return true;
    }

    /// <summary>The sender took <paramref name="s"/> from the queue (its record, if any, stays on disk until it is retired).</summary>
    public void Taken(Batch s)
    {
        if (s.Durability == BatchDurability.Spooled)
        {
            _spooledInQueue.Dequeue();
        }
    }

    /// <summary>Takes records that are on disk only (they come before anything queued), up to <paramref name="maxBytes"/>; false when there are none.</summary>
    public bool TakeFromDisk(List<SpoolLocation> into, int maxBytes)
    {
        if (_onDiskOnly.Count == 0)
        {
            return false;
        }

        int bytes = 0;
        while (_onDiskOnly.Count > 0 && (into.Count == 0 || bytes + _onDiskOnly.Peek().PayloadLength <= maxBytes))
        {
            SpoolLocation record = _onDiskOnly.Dequeue();
            bytes += record.PayloadLength;
            into.Add(record);
        }

        return true;
    }

    /// <summary>Forgets everything staged (the client closes); records on disk only are added to <paramref name="leftovers"/>.</summary>
    public void Clear(ref Leftovers leftovers)
    {
        _toSpool.Clear();
        _spooledInQueue.Clear();
        foreach (SpoolLocation record in _onDiskOnly)
        {
            leftovers.Add(record);
        }

        _onDiskOnly.Clear();
    }
}
