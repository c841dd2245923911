namespace AioGraphite.Pipeline;

/// <summary>
/// The most recently written segments, bounded by age and by bytes, kept to be written again after a
/// reconnect: carbon acknowledges nothing, so whatever it had received but not yet stored when it died is
/// recovered by sending it again (carbon-cache overwrites a (metric, timestamp) with the same value).
/// </summary>
internal sealed class ReplayWindow
{
    private readonly Queue<Segment> _segments = new();
    private readonly long _maxTicks;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private readonly Action<Segment> _release;
    private long _bytes;

    public ReplayWindow(TimeSpan maxAge, long maxBytes, TimeProvider time, Action<Segment> release)
    {
        _maxTicks = (long)(maxAge.TotalSeconds * time.TimestampFrequency);
        _maxBytes = maxBytes;
        _time = time;
        _release = release;
    }

    public long Bytes => _bytes;

    public int Count => _segments.Count;

    /// <summary>Keeps a segment that was just written.</summary>
    public void Add(Segment segment)
    {
        long now = _time.GetTimestamp();
        segment.Timestamp = now;
        segment.IsReplay = false;
        _segments.Enqueue(segment);
        _bytes += segment.Length;
        Trim(now);
    }

    /// <summary>Drops segments older than the window or beyond its byte bound.</summary>
    public void Trim(long now)
    {
        while (_segments.Count > 0 && (_bytes > _maxBytes || now - _segments.Peek().Timestamp > _maxTicks))
        {
            Segment old = _segments.Dequeue();
            _bytes -= old.Length;
            _release(old);
        }
    }

    /// <summary>Moves every segment still inside the window into <paramref name="into"/>, oldest first, marked as replays; returns their points.</summary>
    public long TakeAll(List<Segment> into)
    {
        Trim(_time.GetTimestamp());
        long points = 0;
        while (_segments.Count > 0)
        {
            Segment s = _segments.Dequeue();
            s.IsReplay = true;
            points += s.Points;
            into.Add(s);
        }

        _bytes = 0;
        return points;
    }

    /// <summary>Releases everything (on close).</summary>
    public void Clear()
    {
        while (_segments.Count > 0)
        {
            _release(_segments.Dequeue());
        }

        _bytes = 0;
    }
}
