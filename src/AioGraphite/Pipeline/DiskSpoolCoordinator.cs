using AioGraphite.Diagnostics;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Pipeline;

/// <summary>The <see cref="SpoolCoordinator"/> of a client with a <see cref="DestinationSpool"/> and its <see cref="SpoolWriter"/>.</summary>
internal sealed class DiskSpoolCoordinator : SpoolCoordinator
{
    private readonly DestinationSpool _spool;
    private readonly SpoolWriter _writer;
    private readonly SendBuffer _buffer;
    private readonly PipelineCounters _counters;
    private readonly ILogger _log;
    private readonly string _description;
    private readonly List<SpoolLocation> _fromDisk = [];
    private bool _writerAbandoned;

    public DiskSpoolCoordinator(DestinationSpool spool, SpoolWriter writer, SendBuffer buffer, PipelineCounters counters, ILogger log, string description)
    {
        _spool = spool;
        _writer = writer;
        _buffer = buffer;
        _counters = counters;
        _log = log;
        _description = description;
    }

    public override List<SpoolLocation> FromDisk => _fromDisk;

    public override bool KeepsLeftovers => true;

    /// <summary>Counts and logs what opening the spool found (records an earlier process left, torn tails, quarantined files).</summary>
    public void Recovered(SpoolRecovery recovery)
    {
        _counters.SpoolRecovered(recovery.Points, recovery.TornTails, recovery.QuarantinedFiles, recovery.DamagedRecords, recovery.DamagedBytes, recovery.DamagedPoints);
        if (recovery.Records.Count > 0)
        {
            GraphiteLog.SpoolRecovered(_log, _description, _spool.Directory, recovery.Points, recovery.Records.Count);
        }

        if (recovery.TornTails > 0)
        {
            GraphiteLog.SpoolTornTail(_log, _description, _spool.Directory, recovery.TornTails);
        }

        foreach (SpoolFileDamage damaged in recovery.Damaged)
        {
            SpoolDamage first = damaged.Ranges[0];
            if (damaged.KeptAs is { } keptAs)
            {
                GraphiteLog.SpoolDamaged(_log, _description, damaged.Path, damaged.Records, damaged.Bytes, damaged.Points, keptAs, first.Offset, first.Reason);
            }
            else
            {
                GraphiteLog.SpoolDamagedNotKept(_log, _description, damaged.Path, damaged.Records, damaged.Bytes, damaged.Points, damaged.KeepFailure ?? "unknown reason", first.Offset, first.Reason);
            }
        }

        foreach ((string path, long bytes) in recovery.PrunedQuarantine)
        {
            Pruned(path, bytes);
        }

        _spool.QuarantinePruned = Pruned; // later, when an append needs the room
    }

    private void Pruned(string path, long bytes)
    {
        _counters.QuarantinePruned();
        GraphiteLog.SpoolQuarantinePruned(_log, _description, path, bytes);
    }

    public override void Start() => _writer.Start();

    public override GraphiteSpoolStatistics Statistics(PipelineCounters counters) => counters.SpoolSnapshot(_spool.Bytes, _spool.Records, _spool.Files, _spool.QuarantinedBytes);

    public override void Release() => _spool.Dispose();

    public override void ReadBack(List<Batch> pending, List<Batch> released)
    {
        foreach (SpoolLocation record in _fromDisk)
        {
            Batch segment = _buffer.RentForRecord(record.PayloadLength);
            bool read;
            try
            {
                read = _spool.TryRead(record, segment);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                read = false;
            }

            if (read)
            {
                segment.Durability = BatchDurability.Spooled;
                pending.Add(segment);
                continue;
            }

            GraphiteLog.SpoolRecordLost(_log, _description, _spool.Directory, record.Points);
            _buffer.RecordLost(record.Points, record.PayloadLength);
            _counters.Undelivered(record.Points, DropReason.SpoolCorrupt);
            released.Add(segment);
        }

        _fromDisk.Clear();
    }

    public override void Retire(long lowestHeld) => _writer.Retire(lowestHeld - 1);

    public override async Task<bool> StopWriterAsync(TimeSpan timeout)
    {
        if (await _writer.StopAsync(timeout).ConfigureAwait(false))
        {
            return true;
        }

        // Its write or sync hangs: what it had not spooled is lost with the memory, and the spool (which it may be
        // writing to) is left to it; it releases it if the write ever returns.
        _writerAbandoned = true;
        GraphiteLog.SpoolWriterHung(_log, _description, _spool.Directory, (long)DrainController.CloseGrace.TotalMilliseconds);
        return false;
    }

    public override void Close(in Leftovers leftovers, long lastSequence)
    {
        if (_writerAbandoned)
        {
            if (leftovers.KeptPoints > 0)
            {
                GraphiteLog.SpoolLeftForNextStart(_log, _description, _spool.Directory, leftovers.KeptPoints);
            }

            return;
        }

        long retired = leftovers.LowestKept == long.MaxValue ? lastSequence : leftovers.LowestKept - 1;
        try
        {
            _spool.RemoveIfEmpty(retired);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            GraphiteLog.SpoolFailed(_log, _description, _spool.Directory, ex.Message);
        }

        if (leftovers.KeptPoints > 0)
        {
            GraphiteLog.SpoolLeftForNextStart(_log, _description, _spool.Directory, leftovers.KeptPoints);
        }

        _spool.Dispose();
    }
}
