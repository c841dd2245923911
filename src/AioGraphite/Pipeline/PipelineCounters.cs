using System.Diagnostics;
using AioGraphite.Diagnostics;

namespace AioGraphite.Pipeline;

/// <summary>
/// Every count of one destination in one place: each event bumps its <see cref="Interlocked"/> total (read back as
/// <see cref="GraphiteClientStatistics"/>) and the matching instrument of the <c>AioGraphite</c> meter, together.
/// Producers call <see cref="AcceptedLocked"/> (under the destination's lock, so without an interlocked operation),
/// <see cref="NameLookupsCounted"/> (the sharded path's client-wide counters) and <see cref="DroppedBufferFull"/>; the
/// sender loop the rest.
/// </summary>
internal sealed class PipelineCounters
{
    private readonly GraphiteInstruments _instruments;
    private readonly TagList _tags;

    // Producers under the destination's lock (AcceptedLocked), or interlocked (NameLookupsCounted); read by anyone.
    private long _accepted;
    private long _nameHits;
    private long _nameMisses;

    private long _rejected;
    private long _written;
    private long _delivered;
    private long _replayed;
    private long _droppedBufferFull;
    private long _undelivered;
    private long _notReplayed;
    private long _bytesWritten;
    private long _reconnects;
    private long _spooled;
    private long _recovered;
    private long _tornTails;
    private long _quarantined;
    private long _damagedRecords;
    private long _damagedBytes;
    private long _damagedPoints;
    private long _notDurable;
    private long _spoolErrors;
    private long _syncs;
    private long _maxSyncTicks;

    public PipelineCounters(GraphiteInstruments instruments, in TagList tags)
    {
        _instruments = instruments;
        _tags = tags;
    }

    /// <summary>
    /// Points accepted (or recovered from the spool) and not yet counted delivered, dropped or undelivered: what a close
    /// that gives up on a hung sender counts as undelivered.
    /// </summary>
    public long Outstanding => Math.Max(0, Interlocked.Read(ref _accepted) + Interlocked.Read(ref _recovered) - Interlocked.Read(ref _delivered)
        - Interlocked.Read(ref _droppedBufferFull) - Interlocked.Read(ref _undelivered));

    /// <summary>The meter tags of the destination.</summary>
    public TagList Tags => _tags;

    /// <summary>
    /// A producer's points accepted and names looked up, counted under the destination's lock (one writer at a time:
    /// plain adds, written whole for readers without the lock).
    /// </summary>
    public void AcceptedLocked(long points, in NameLookups lookups)
    {
        Volatile.Write(ref _accepted, _accepted + points);
        Volatile.Write(ref _nameHits, _nameHits + lookups.Hits);
        Volatile.Write(ref _nameMisses, _nameMisses + lookups.Misses);
    }

    /// <summary>Names looked up by a producer outside any destination's lock (the sharded path, client-wide).</summary>
    public void NameLookupsCounted(in NameLookups lookups)
    {
        Interlocked.Add(ref _nameHits, lookups.Hits);
        Interlocked.Add(ref _nameMisses, lookups.Misses);
    }

    /// <summary>Points rejected at the API edge (kept by the client-wide counters).</summary>
    public void Rejected(long points)
    {
        Interlocked.Add(ref _rejected, points);
        _instruments.PointsDropped(points, DropReason.Invalid, _tags);
    }

    public void DroppedBufferFull(long points)
    {
        Interlocked.Add(ref _droppedBufferFull, points);
        _instruments.PointsDropped(points, DropReason.BufferFull, _tags);
    }

    /// <summary>A write went through: first-time points, replayed points and all the bytes.</summary>
    public void Written(long points, long replayed, long bytes)
    {
        Interlocked.Add(ref _written, points);
        Interlocked.Add(ref _bytesWritten, bytes);
        _instruments.PointsSent(points, _tags);
        _instruments.BytesWritten(bytes, _tags);
        if (replayed > 0)
        {
            Interlocked.Add(ref _replayed, replayed);
            _instruments.PointsReplayed(replayed, _tags);
        }
    }

    public void Delivered(long points)
    {
        if (points > 0)
        {
            Interlocked.Add(ref _delivered, points);
            _instruments.PointsDelivered(points, _tags);
        }
    }

    /// <summary>Points given up on: a lost datagram, a connection lost without replay, or the drain timeout at close.</summary>
    public void Undelivered(long points, string reason)
    {
        if (points > 0)
        {
            Interlocked.Add(ref _undelivered, points);
            _instruments.PointsDropped(points, reason, _tags);
        }
    }

    /// <summary>
    /// Closing without a clean end: <paramref name="points"/> carbon had read but may have lost were not sent again; with
    /// a spool (<paramref name="kept"/>) they stay in it for the next client, without one they are lost (a drop).
    /// </summary>
    public void NotReplayed(long points, bool kept)
    {
        if (points > 0)
        {
            Interlocked.Add(ref _notReplayed, points);
            if (!kept)
            {
                _instruments.PointsDropped(points, DropReason.NotReplayed, _tags);
            }
        }
    }

    public void Reconnected()
    {
        Interlocked.Increment(ref _reconnects);
        _instruments.Reconnected(_tags);
    }

    /// <summary><paramref name="points"/> reached the disk spool with a sync that took <paramref name="syncDuration"/>.</summary>
    public void Spooled(long points, TimeSpan syncDuration)
    {
        Interlocked.Add(ref _spooled, points);
        Interlocked.Increment(ref _syncs);
        long ticks = syncDuration.Ticks;
        long max = Interlocked.Read(ref _maxSyncTicks);
        while (ticks > max && Interlocked.CompareExchange(ref _maxSyncTicks, ticks, max) != max)
        {
            max = Interlocked.Read(ref _maxSyncTicks);
        }

        _instruments.Spooled(points, syncDuration, _tags);
    }

    /// <summary>What opening the spool found.</summary>
    public void SpoolRecovered(long points, int tornTails, int quarantinedFiles, long damagedRecords, long damagedBytes, long damagedPoints)
    {
        Interlocked.Add(ref _recovered, points);
        Interlocked.Add(ref _tornTails, tornTails);
        Interlocked.Add(ref _quarantined, quarantinedFiles);
        Interlocked.Add(ref _damagedRecords, damagedRecords);
        Interlocked.Add(ref _damagedBytes, damagedBytes);
        Interlocked.Add(ref _damagedPoints, damagedPoints);
        _instruments.SpoolEvent("recovered_points", points, _tags);
        _instruments.SpoolEvent("torn_tail", tornTails, _tags);
        _instruments.SpoolEvent("quarantined_file", quarantinedFiles, _tags);
        _instruments.SpoolEvent("damaged_record", damagedRecords, _tags);
        _instruments.SpoolEvent("damaged_points", damagedPoints, _tags);
    }

    /// <summary>A copy of a damaged file was deleted to keep the spool within its size.</summary>
    public void QuarantinePruned() => _instruments.SpoolEvent("quarantine_pruned", 1, _tags);

    /// <summary><paramref name="points"/> written to the spool lost their durability to a failed sync (never counted as spooled).</summary>
    public void SpoolNotDurable(long points)
    {
        Interlocked.Add(ref _notDurable, points);
        _instruments.SpoolEvent("not_durable_points", points, _tags);
    }

    public void SpoolError()
    {
        Interlocked.Increment(ref _spoolErrors);
        _instruments.SpoolEvent("error", 1, _tags);
    }

    /// <summary>Bytes written so far, replays included.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>Points rejected so far (the client-wide edge counters only).</summary>
    public long RejectedPoints => Interlocked.Read(ref _rejected);

    /// <summary>The spool's totals, with its current size on disk.</summary>
    public GraphiteSpoolStatistics SpoolSnapshot(long bytes, long records, int files, long quarantinedBytes) => new()
    {
        Bytes = bytes,
        Records = records,
        Files = files,
        PointsSpooled = Interlocked.Read(ref _spooled),
        PointsRecovered = Interlocked.Read(ref _recovered),
        TornTails = Interlocked.Read(ref _tornTails),
        QuarantinedFiles = Interlocked.Read(ref _quarantined),
        QuarantinedBytes = quarantinedBytes,
        DamagedRecords = Interlocked.Read(ref _damagedRecords),
        DamagedBytes = Interlocked.Read(ref _damagedBytes),
        DamagedPoints = Interlocked.Read(ref _damagedPoints),
        PointsNotDurable = Interlocked.Read(ref _notDurable),
        Errors = Interlocked.Read(ref _spoolErrors),
        Syncs = Interlocked.Read(ref _syncs),
        MaxSyncDuration = TimeSpan.FromTicks(Interlocked.Read(ref _maxSyncTicks)),
    };

    /// <summary>The totals, with the buffer's and the ledger's current levels.</summary>
    public GraphiteClientStatistics Snapshot(long bufferedPoints, long bufferedBytes, long inFlightPoints) => new()
    {
        PointsAccepted = Interlocked.Read(ref _accepted),
        NameCacheHits = Interlocked.Read(ref _nameHits),
        NameCacheMisses = Interlocked.Read(ref _nameMisses),
        PointsRejected = Interlocked.Read(ref _rejected),
        PointsWritten = Interlocked.Read(ref _written),
        PointsDelivered = Interlocked.Read(ref _delivered),
        PointsReplayed = Interlocked.Read(ref _replayed),
        PointsDroppedBufferFull = Interlocked.Read(ref _droppedBufferFull),
        PointsUndelivered = Interlocked.Read(ref _undelivered),
        PointsNotReplayed = Interlocked.Read(ref _notReplayed),
        BytesWritten = Interlocked.Read(ref _bytesWritten),
        Reconnects = Interlocked.Read(ref _reconnects),
        BufferedPoints = bufferedPoints,
        BufferedBytes = bufferedBytes,
        InFlightPoints = inFlightPoints,
    };
}
