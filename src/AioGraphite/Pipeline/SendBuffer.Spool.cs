using AioGraphite.Protocols;
using AioGraphite.Spool;

namespace AioGraphite.Pipeline;

/// <content>
/// With a disk spool the buffer is a cache in front of it: every sealed segment waits (<see cref="SegmentDurability.Pending"/>)
/// until the spool writer has appended it, and only then may it be sent; when memory is full the oldest spooled segment
/// leaves memory (its record is read back when its turn comes) instead of being dropped. Records an earlier process left
/// are sent first. When the spool is unavailable (a full disk, an I/O error) new segments stay in memory only, under the
/// full-buffer policy, until the spool writer resumes. Everything here runs under the destination's lock.
/// </content>
internal sealed partial class SendBuffer
{
    private readonly Queue<Segment> _toSpool = new();
    private readonly Queue<SpoolLocation> _spooledInQueue = new();
    private readonly Queue<SpoolLocation> _onDiskOnly = new();
    private Action? _wakeSpoolWriter;
    private int _spoolWakeSegments = 1; // segments waiting for the spool that make a seal wake its writer (below: its timer)
    private volatile bool _spoolHealthy;

    /// <summary>When the open segment got its first point (<see cref="TimeProvider.GetTimestamp"/>), or null when it has none.</summary>
    public long? OpenSince
    {
        get
        {
            lock (_sync)
            {
                return _open is { Points: > 0 } ? _open.OpenedAt : null;
            }
        }
    }

    /// <summary>The last sequence given to a sealed segment.</summary>
    public long LastSequence
    {
        get
        {
            lock (_sync)
            {
                return _nextSequence - 1;
            }
        }
    }

    /// <summary>Whether a spool is attached and working: a full buffer then frees room as fast as the disk takes data.</summary>
    public bool SpoolTakesData => _spoolHealthy;

    /// <summary>
    /// Attaches the spool: sealed segments wait for <paramref name="wakeSpoolWriter"/>'s writer, and the records an
    /// earlier process left (<paramref name="recovery"/>) are sent first; new sequences continue after theirs. A seal
    /// wakes the writer once <paramref name="wakeAfterSegments"/> segments wait (below it the writer's timer takes them).
    /// </summary>
    public void AttachSpool(Action wakeSpoolWriter, int wakeAfterSegments, SpoolRecovery recovery)
    {
        lock (_sync)
        {
            _wakeSpoolWriter = wakeSpoolWriter;
            _spoolWakeSegments = wakeAfterSegments;
            _spoolHealthy = true;
            foreach (SpoolLocation record in recovery.Records)
            {
                _onDiskOnly.Enqueue(record);
                _bufferedPoints += record.Points;
                _bufferedBytes += record.PayloadLength;
            }

            _nextSequence = Math.Max(_nextSequence, recovery.HighestSequence + 1);
        }
    }

    /// <summary>The spool writer's work: up to <paramref name="maxBytes"/> of sealed segments waiting for the spool, oldest first (they stay queued).</summary>
    public void TakeToSpool(List<Segment> into, int maxBytes)
    {
        lock (_sync)
        {
            int bytes = 0;
            foreach (Segment s in _toSpool)
            {
                if (into.Count > 0 && bytes + s.Length > maxBytes)
                {
                    break;
                }

                into.Add(s);
                bytes += s.Length;
            }
        }
    }

    /// <summary>The spool writer appended <paramref name="batch"/> (the oldest waiting segments) at <paramref name="locations"/>.</summary>
    public void MarkSpooled(List<Segment> batch, List<SpoolLocation> locations)
    {
        lock (_sync)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                Segment s = _toSpool.Dequeue();
                System.Diagnostics.Debug.Assert(ReferenceEquals(s, batch[i]), "segments are spooled in order");
                s.Durability = SegmentDurability.Spooled;
                _spooledInQueue.Enqueue(locations[i]);
            }
        }
    }

    /// <summary>The spool failed: what waits for it stays in memory only, and so do new segments until <see cref="ResumeSpool"/>.</summary>
    public void SuspendSpool()
    {
        lock (_sync)
        {
            _spoolHealthy = false;
            while (_toSpool.Count > 0)
            {
                _toSpool.Dequeue().Durability = SegmentDurability.MemoryOnly;
            }
        }
    }

    /// <summary>The spool works again: new segments go to it.</summary>
    public void ResumeSpool()
    {
        lock (_sync)
        {
            _spoolHealthy = true;
        }
    }

    /// <summary>Segments to read records back into (from the pool, or new when a record is larger than a segment).</summary>
    public Segment RentForRecord(int payloadLength)
    {
        lock (_sync)
        {
            return payloadLength <= _segmentBytes && _pool.Count > 0 ? _pool.Pop() : new Segment(Math.Max(_segmentBytes, payloadLength));
        }
    }

    /// <summary>A record could not be read back (its bytes no longer match the checksum): its points are given up.</summary>
    public void RecordLost(int points, int bytes)
    {
        lock (_sync)
        {
            _bufferedPoints -= points;
            _bufferedBytes -= bytes;
            _unsettledSegments--;
        }
    }

    /// <summary>
    /// The lowest sequence the buffer still holds (on disk only, or queued), or the next sequence when it holds nothing:
    /// every record below it has been taken by the sender (or dropped).
    /// </summary>
    private long LowestHeldLocked() =>
        _onDiskOnly.Count > 0 ? _onDiskOnly.Peek().Sequence : _queue.Count > 0 ? _queue.Peek().Sequence : _nextSequence;

    private void SealedLocked(Segment s)
    {
        if (_wakeSpoolWriter is not null && _spoolHealthy)
        {
            s.Durability = SegmentDurability.Pending;
            _toSpool.Enqueue(s);
            if (_toSpool.Count >= _spoolWakeSegments)
            {
                _wakeSpoolWriter();
            }
        }
    }

    /// <summary>Whether sealed segments wait for the spool writer to append them (the sender may not take them before).</summary>
    public bool AwaitsSpoolWriter
    {
        get
        {
            lock (_sync)
            {
                return _toSpool.Count > 0 || (_queue.Count > 0 && _queue.Peek().Durability == SegmentDurability.Pending);
            }
        }
    }

    /// <summary>Wakes the spool writer when sealed segments wait for it (someone waits for them: it should not wait for its timer).</summary>
    private void WakeSpoolWriterLocked()
    {
        if (_wakeSpoolWriter is not null && _toSpool.Count > 0)
        {
            _wakeSpoolWriter();
        }
    }

    /// <summary>Moves the oldest queued segment out of memory when it is on disk (its record is read back later).</summary>
    private bool TryEvictOldestLocked()
    {
        if (_wakeSpoolWriter is null || _queue.Peek().Durability != SegmentDurability.Spooled)
        {
            return false;
        }

        Segment s = _queue.Dequeue();
        _onDiskOnly.Enqueue(_spooledInQueue.Dequeue());
        ReturnLocked(s);
        return true;
    }

    /// <summary>Takes records that are on disk only (they come before anything queued), up to <paramref name="maxBytes"/>.</summary>
    private bool TakeFromDiskLocked(List<SpoolLocation> into, int maxBytes)
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

        _unsettledSegments += into.Count;
        return true;
    }
}
