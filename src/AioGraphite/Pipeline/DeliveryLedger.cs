using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <summary>
/// What became of every written segment: written → consumed by carbon → retired. It owns replay.
/// <list type="bullet">
/// <item>Written segments wait, in stream order, until the connection's evidence says carbon's process has read them
/// (<see cref="Observe"/>) or carbon's orderly close proves it (<see cref="ConfirmAll"/>). Their first consumption
/// counts as delivered.</item>
/// <item>Consumed segments are retained for the replay window: carbon-cache holds what it read in memory until it
/// writes it to disk, and a carbon that dies loses that. A consumed segment is let go only once carbon has been
/// <em>proven</em> running for the window after consuming it: the clock is the latest moment carbon is known to have
/// been reading (<see cref="ProvenAliveAt"/>): a later consumption (no earlier than the previous look at the evidence,
/// nor than the write of the bytes it read), or carbon's orderly close after our end of stream (no earlier than the end
/// was sent). Wall-clock time proves nothing: a frozen carbon, or an idle client that writes nothing and so learns
/// nothing, ages nothing (bounded by the window's bytes).</item>
/// <item>When the connection is lost (<see cref="ConnectionLost"/>), everything retained and everything not yet consumed
/// becomes the replay list, oldest first. It does not age any more, however long the outage lasts, and is written first
/// after reconnecting.</item>
/// <item>Closing (<see cref="Close"/>) after carbon confirmed everything lets go of it all; any other close keeps the replay
/// set (retained, replay list, unconsumed) as leftovers for the spool, or counts what it cannot keep.</item>
/// </list>
/// Loop-thread only.
/// </summary>
internal sealed class DeliveryLedger
{
    private readonly Queue<Batch> _unconsumed = new();
    private readonly Queue<Batch> _retained = new();
    private readonly List<Batch> _replay = [];
    private readonly long _windowTicks;
    private readonly long _maxRetainedBytes;
    private readonly bool _replayEnabled;
    private long _retainedBytes;
    private long _consumedOffset;
    private long _provenAliveAt;
    private long _lastObservedAt;
    private Batch? _packInto;

    /// <param name="window">How long consumed segments are kept for replay (<see cref="GraphiteClientOptions.ReplayWindow"/>).</param>
    /// <param name="maxRetainedBytes">Most bytes of consumed segments kept (<see cref="GraphiteClientOptions.ReplayWindowBytes"/>).</param>
    /// <param name="replayEnabled">When false nothing is retained or replayed; what was not consumed when a connection is lost is given up.</param>
    /// <param name="timestampFrequency">Ticks per second of the clock the callers pass timestamps of.</param>
    public DeliveryLedger(TimeSpan window, long maxRetainedBytes, bool replayEnabled, long timestampFrequency)
    {
        _windowTicks = (long)(window.TotalSeconds * timestampFrequency);
        _maxRetainedBytes = maxRetainedBytes;
        _replayEnabled = replayEnabled && maxRetainedBytes > 0;
    }

    /// <summary>Written segments on the current connection not yet consumed.</summary>
    public int UnconsumedCount => _unconsumed.Count;

    /// <summary>Segments kept for replay.</summary>
    public int RetainedCount => _retained.Count;

    /// <summary>Segments waiting to be written again after a reconnect.</summary>
    public int ReplayCount => _replay.Count;

    /// <summary>
    /// The latest <see cref="TimeProvider.GetTimestamp"/> at which carbon is proven to have been running (reading what
    /// it was sent): consumed segments age against it, never against the wall clock.
    /// </summary>
    public long ProvenAliveAt => _provenAliveAt;

    /// <summary>Points written and not yet consumed (on the current connection or waiting for replay).</summary>
    public long UndeliveredPoints { get; private set; }

    /// <summary>Bytes held for replay or awaiting consumption (for logs).</summary>
    public long HeldBytes
    {
        get
        {
            long bytes = _retainedBytes;
            foreach (Batch s in _unconsumed)
            {
                bytes += s.Length;
            }

            foreach (Batch s in _replay)
            {
                bytes += s.Length;
            }

            return bytes;
        }
    }

    /// <summary>A segment was written on the current connection; <paramref name="streamEnd"/> is the stream offset after it.</summary>
    public void Written(Batch segment, long streamEnd, long now)
    {
        segment.StreamEnd = streamEnd;
        segment.WrittenAt = now;
        segment.IsReplay = false;
        _unconsumed.Enqueue(segment);
        if (!segment.Delivered)
        {
            UndeliveredPoints += segment.Points;
        }
    }

    /// <summary>
    /// Takes the connection's evidence: every segment ending at or before <paramref name="consumedOffset"/> was consumed.
    /// Newly delivered segments are counted into <paramref name="delivered"/>; segments the window lets go of are added to
    /// <paramref name="released"/>. Returns whether carbon consumed anything since the last look (progress).
    /// </summary>
    public bool Observe(long consumedOffset, long now, ref DeliveryTally delivered, List<Batch> released)
    {
        bool progress = consumedOffset > _consumedOffset;
        if (progress)
        {
            // carbon read bytes after the last look (they were unread then), and after they were written. What that
            // proof lets go of goes first, before new bytes are packed into the retained segments.
            long readNoEarlierThan = _lastObservedAt;
            foreach (Batch s in _unconsumed)
            {
                if (s.StreamEnd > consumedOffset)
                {
                    break;
                }

                readNoEarlierThan = Math.Max(readNoEarlierThan, s.WrittenAt);
            }

            ProvenAlive(readNoEarlierThan);
            Trim(released);
            _consumedOffset = consumedOffset;
            while (_unconsumed.Count > 0 && _unconsumed.Peek().StreamEnd <= consumedOffset)
            {
                Consumed(_unconsumed.Dequeue(), now, ref delivered, released);
            }
        }

        _lastObservedAt = now;
        Trim(released);
        return progress;
    }

    /// <summary>
    /// carbon closed in order after our end of stream, sent at <paramref name="endSentAt"/>: everything written on this
    /// connection was consumed, and carbon was running when it read the end.
    /// </summary>
    public void ConfirmAll(long endSentAt, long now, ref DeliveryTally delivered, List<Batch> released)
    {
        ProvenAlive(endSentAt);
        Trim(released);
        while (_unconsumed.Count > 0)
        {
            Consumed(_unconsumed.Dequeue(), now, ref delivered, released);
        }

        _consumedOffset = 0;
        _lastObservedAt = now;
        _packInto = null;
        Trim(released);
    }

    /// <summary>
    /// The connection failed: what carbon may have lost becomes the replay list (everything retained, then everything
    /// unconsumed). Returns the points given up because replay is off.
    /// </summary>
    public long ConnectionLost(List<Batch> released)
    {
        Trim(released);
        _consumedOffset = 0;
        _packInto = null;
        if (!_replayEnabled)
        {
            long lost = 0;
            while (_unconsumed.Count > 0)
            {
                Batch s = _unconsumed.Dequeue();
                lost += s.Delivered ? 0 : s.Points;
                released.Add(s);
            }

            UndeliveredPoints -= lost;
            return lost;
        }

        while (_retained.Count > 0)
        {
            MarkForReplay(_retained.Dequeue());
        }

        _retainedBytes = 0;
        while (_unconsumed.Count > 0)
        {
            MarkForReplay(_unconsumed.Dequeue());
        }

        return 0;
    }

    /// <summary>
    /// Moves the replay list to the front of <paramref name="pending"/> (oldest first); returns its points. The segments
    /// leave the ledger until they are written again.
    /// </summary>
    public long TakeReplay(List<Batch> pending)
    {
        long points = 0;
        foreach (Batch s in _replay)
        {
            points += s.Points;
            if (!s.Delivered)
            {
                UndeliveredPoints -= s.Points;
            }
        }

        pending.InsertRange(0, _replay);
        _replay.Clear();
        return points;
    }

    /// <summary>
    /// Releases everything (on close). Unless carbon confirmed everything (<paramref name="confirmed"/>: its orderly close
    /// after the last write, which lets go of the replay set), every segment carbon may still lose goes to
    /// <paramref name="leftovers"/>: never consumed, waiting for replay, or consumed within the window.
    /// </summary>
    public void Close(bool confirmed, List<Batch> released, ref Leftovers leftovers)
    {
        foreach (Batch s in _unconsumed)
        {
            leftovers.Add(s);
        }

        foreach (Batch s in _replay)
        {
            leftovers.Add(s);
        }

        if (!confirmed)
        {
            foreach (Batch s in _retained)
            {
                leftovers.Add(s);
            }
        }

        released.AddRange(_unconsumed);
        released.AddRange(_retained);
        released.AddRange(_replay);
        _unconsumed.Clear();
        _retained.Clear();
        _replay.Clear();
        _retainedBytes = 0;
        _packInto = null;
        UndeliveredPoints = 0;
    }

    /// <summary>The lowest sequence the ledger holds (long.MaxValue when empty): records below it may be retired from the spool.</summary>
    public long LowestSequence
    {
        get
        {
            long lowest = long.MaxValue;
            if (_retained.Count > 0)
            {
                lowest = _retained.Peek().Sequence;
            }

            if (_unconsumed.Count > 0)
            {
                lowest = Math.Min(lowest, _unconsumed.Peek().Sequence);
            }

            if (_replay.Count > 0)
            {
                lowest = Math.Min(lowest, _replay[0].Sequence);
            }

            return lowest;
        }
    }

    private void Consumed(Batch s, long now, ref DeliveryTally delivered, List<Batch> released)
    {
        if (!s.Delivered)
        {
            s.Delivered = true;
            UndeliveredPoints -= s.Points;
            delivered.Points += s.Points;
            delivered.Segments++;
        }

        if (!_replayEnabled)
        {
            released.Add(s);
            return;
        }

        // Keep the window compact: a trickle seals many nearly empty segments, so pack the bytes of a small consumed
        // segment into the last retained one when they fit (and are as durable: a spooled record must not hide in a
        // segment held in memory only), and release the empty shell.
        Batch? last = _packInto;
        if (last is not null && last.Length + s.Length <= last.Buffer.Length && last.Durability == s.Durability)
        {
            s.Buffer.AsSpan(0, s.Length).CopyTo(last.Buffer.AsSpan(last.Length));
            last.Length += s.Length;
            last.Points += s.Points;
            last.ConsumedAt = now;
            _retainedBytes += s.Length;
            released.Add(s);
            return;
        }

        s.ConsumedAt = now;
        _retained.Enqueue(s);
        _retainedBytes += s.Length;
        _packInto = s;
    }

    private void ProvenAlive(long at) => _provenAliveAt = Math.Max(_provenAliveAt, at);

    private void Trim(List<Batch> released)
    {
        while (_retained.Count > 0 && (_retainedBytes > _maxRetainedBytes || _provenAliveAt - _retained.Peek().ConsumedAt > _windowTicks))
        {
            Batch old = _retained.Dequeue();
            _retainedBytes -= old.Length;
            if (ReferenceEquals(old, _packInto))
            {
                _packInto = null;
            }

            released.Add(old);
        }
    }

    private void MarkForReplay(Batch s)
    {
        s.IsReplay = true;
        _replay.Add(s);
    }
}
