using AioGraphite.Diagnostics;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Pipeline;

/// <summary>
/// The background writer of one destination's disk spool, off the callers' and the sender's threads: appends every sealed
/// segment in order, seals the open one and syncs at least every <see cref="GraphiteClientOptions.SpoolSyncInterval"/>
/// (so a point is durable within that time of being accepted), deletes what carbon consumed once the sender says it is
/// retired, and, when the disk fails (full, read-only, gone), lets the buffer run on memory and tries again later.
/// </summary>
internal sealed class SpoolWriter
{
    /// <summary>How long the spool rests after a failed write before the next try.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>How often the checkpoint (retired-through sequence) is written at most.</summary>
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);

    /// <summary>Largest append (one gather write).</summary>
    private const int MaxAppendBytes = 4 << 20;

    private const int Running = 0;
    private const int Ended = 1;
    private const int Abandoned = 2;

    // Set once.
    private readonly SendBuffer _buffer;
    private readonly DestinationSpool _spool;
    private readonly PipelineCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly string _description;
    private readonly TimeSpan _syncInterval;
    private readonly Action _wakeSender;

    // Shared with the sender loop and callers.
    private readonly WakeSignal _wake = new();
    private long _retiredThrough;
    private volatile bool _stopping;
    private int _state = Running; // Running, Ended, or Abandoned by the close (a hung write): then the writer releases the spool

    // Writer thread only.
    private readonly List<Batch> _batch = [];
    private readonly List<SpoolLocation> _locations = [];
    private Task _run = Task.CompletedTask;
    private long _unsyncedPoints;
    private long _unsyncedSince;
    private long _retiredDone;
    private long _lastCheckpoint;
    private long _retryAt;
    private bool _healthy = true;
    private bool _failing; // a failure was logged and no write has succeeded since (retries stay quiet)
    private bool _awaitingSpace; // the failure left the disk (nearly) full: retry only once a whole file fits again

    public SpoolWriter(SendBuffer buffer, DestinationSpool spool, PipelineCounters counters, TimeSpan syncInterval, TimeProvider time, ILogger log, string description, Action wakeSender)
    {
        _buffer = buffer;
        _spool = spool;
        _counters = counters;
        _syncInterval = syncInterval;
        _time = time;
        _log = log;
        _description = description;
        _wakeSender = wakeSender;
    }

    /// <summary>A segment was sealed (cheap, never blocks).</summary>
    public void Wake() => _wake.Set();

    public void Start() => _run = Task.Run(RunAsync);

    /// <summary>Every record at or below <paramref name="sequence"/> is retired (from the sender loop).</summary>
    public void Retire(long sequence)
    {
        if (sequence > Volatile.Read(ref _retiredThrough))
        {
            Volatile.Write(ref _retiredThrough, sequence);
        }
    }

    /// <summary>
    /// Appends and syncs everything sealed so far, then stops; waits at most <paramref name="timeout"/>. False when the writer
    /// has not stopped by then (a write or sync that hangs: a sick disk): it is abandoned, touches the buffer no more, and
    /// releases the spool itself when the write returns; the caller must then leave the spool alone.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        _stopping = true;
        Wake();
        try
        {
            await _run.WaitAsync(timeout, _time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException) when (Interlocked.CompareExchange(ref _state, Abandoned, Running) == Running)
        {
            return false;
        }
        catch (TimeoutException)
        {
            await _run.ConfigureAwait(false); // it ended just now
            return true;
        }
    }

    /// <summary>Whether the close has given up on the writer (from then on it leaves the buffer alone).</summary>
    private bool IsAbandoned => Volatile.Read(ref _state) == Abandoned;

    private async Task RunAsync()
    {
        try
        {
            while (!IsAbandoned)
            {
                // Read the flag once: sealing the open segment and the decision to stop must agree, or a stop that lands
                // between them would end the writer with the last points never spooled.
                bool stopping = _stopping;
                long now = _time.GetTimestamp();
                if (_healthy)
                {
                    if (stopping || (_syncInterval > TimeSpan.Zero && DueToSeal(now)))
                    {
                        _buffer.SealOpen(awaited: false); // what was accepted a sync interval ago must reach the disk now
                    }

                    if (AppendPending())
                    {
                        continue;
                    }

                    if (_unsyncedPoints > 0 && (stopping || _time.GetElapsedTime(_unsyncedSince) >= _syncInterval))
                    {
                        Sync();
                    }
                }
                else if (now >= _retryAt)
                {
                    if (_awaitingSpace && !RoomForAFile())
                    {
                        // Still full: a small write might fit and the next fail, flapping in the log. Counted, quiet.
                        ScheduleRetry();
                    }
                    else
                    {
                        // Try again; SpoolResumed is logged once a write and its sync have succeeded.
                        _healthy = true;
                        _awaitingSpace = false;
                        _buffer.ResumeSpool();
                    }
                }

                RetireIfDue(stopping);
                if (stopping && (!_healthy || _unsyncedPoints == 0))
                {
                    return;
                }

                await WaitAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !IsAbandoned)
        {
            // Never into callers: the spool stops, the buffer carries on in memory.
            GraphiteLog.SpoolFailed(_log, _description, _spool.Directory, ex.Message);
            _counters.SpoolError();
            _buffer.SuspendSpool();
            _wakeSender();
        }
        catch (Exception) when (IsAbandoned)
        {
            // The close went on without the writer; the buffer it would report to is gone.
        }
        finally
        {
            if (Interlocked.Exchange(ref _state, Ended) == Abandoned)
            {
                ReleaseAbandonedSpool();
            }
        }
    }

    /// <summary>The close gave up on a hung write, which has now returned: the writer releases the spool (files and lock).</summary>
    private void ReleaseAbandonedSpool()
    {
        try
        {
            _spool.Dispose();
            GraphiteLog.SpoolReleasedAfterClose(_log, _description, _spool.Directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            GraphiteLog.SpoolFailed(_log, _description, _spool.Directory, ex.Message);
        }
    }

    /// <summary>Whether the open segment has waited longer than the sync interval (then it is sealed for the disk).</summary>
    private bool DueToSeal(long now)
    {
        long? openedAt = _buffer.OpenSince;
        return openedAt is long t && _time.GetElapsedTime(t, now) >= _syncInterval;
    }

    /// <summary>Appends the segments waiting for the spool; false when there were none.</summary>
    private bool AppendPending()
    {
        _batch.Clear();
        _buffer.TakeToSpool(_batch, MaxAppendBytes);
        if (_batch.Count == 0)
        {
            return false;
        }

        _locations.Clear();
        bool appended = _spool.TryAppend(_batch, _locations, out string? failure);
        if (IsAbandoned)
        {
            return false; // the write hung past the close, which discarded the buffer: nothing to mark
        }

        if (!appended)
        {
            Fail(failure!);
            _wakeSender();
            return false;
        }

        long points = 0;
        long oldest = long.MaxValue;
        foreach (Batch s in _batch)
        {
            points += s.Points;
            oldest = Math.Min(oldest, s.OpenedAt);
        }

        if (_unsyncedPoints == 0)
        {
            _unsyncedSince = oldest; // the sync deadline counts from when its oldest point was accepted
        }

        _unsyncedPoints += points;
        if (_syncInterval <= TimeSpan.Zero)
        {
            Sync(); // "every batch": durable before it counts as spooled
            if (IsAbandoned)
            {
                return false;
            }

            if (!_healthy)
            {
                // The sync failed: the batch went back to memory with everything else waiting for the spool
                // (SuspendSpool), so it is not marked spooled (nothing is left in the queue to mark).
                _wakeSender();
                return false;
            }
        }

        _buffer.MarkSpooled(_batch, _locations);
        _batch.Clear();
        _wakeSender();
        return true;
    }

    private void Sync()
    {
        long started = _time.GetTimestamp();
        try
        {
            _spool.Sync();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A failed sync is never counted as success ("fsyncgate": after a failed fsync Linux may drop the dirty pages
            // and mark them clean, so a retry "succeeds" without them). What was written since the last good sync is not
            // durable, and no later sync may count it: the spool sealed its file, and the count starts again from zero.
            // Writing those batches again is not possible in general: with a sync interval they were marked spooled at
            // append time and may have left memory since (evicted from a full buffer, or sent). They are still sent, from
            // memory or read back from the page cache while this process runs; only a crash before carbon has them loses
            // them, and they were never reported durable. With a zero interval the batch was never marked spooled: it
            // stays in memory (SuspendSpool) under the buffer's own accounting, so it is not counted here.
            long notDurable = _syncInterval > TimeSpan.Zero ? _unsyncedPoints : 0;
            _unsyncedPoints = 0;
            Fail(ex.Message); // the error is counted (and logged) before the points, so whoever sees the points sees it all
            if (notDurable > 0)
            {
                GraphiteLog.SpoolSyncFailed(_log, _description, _spool.Directory, ex.Message, notDurable);
                _counters.SpoolNotDurable(notDurable);
            }

            return;
        }

        _counters.Spooled(_unsyncedPoints, _time.GetElapsedTime(started));
        _unsyncedPoints = 0;

        // Not after the append that just failed: syncing what was appended before it is no sign the disk works again.
        if (_failing && _healthy)
        {
            _failing = false;
            GraphiteLog.SpoolResumed(_log, _description, _spool.Directory);
        }
    }

    /// <summary>
    /// A write or sync failed: the buffer runs on memory until the retry in <see cref="RetryDelay"/>. Logged once per
    /// outage (a retry that fails again is only counted), so a disk that stays full does not flood the log.
    /// </summary>
    private void Fail(string reason)
    {
        _healthy = false;
        _awaitingSpace = !RoomForAFile();
        ScheduleRetry();
        if (!_failing)
        {
            _failing = true;
            GraphiteLog.SpoolFailed(_log, _description, _spool.Directory, reason);
        }

        _buffer.SuspendSpool();
    }

    /// <summary>Counts a failed try and sets the next one <see cref="RetryDelay"/> from now.</summary>
    private void ScheduleRetry()
    {
        _retryAt = _time.GetTimestamp() + (long)(RetryDelay.TotalSeconds * _time.TimestampFrequency);
        _counters.SpoolError();
    }

    /// <summary>Whether the spool's file system has room for a whole spool file (true when it cannot be told).</summary>
    private bool RoomForAFile() => _spool.FreeBytes() is not long free || free >= _spool.FileBytes;

    private void RetireIfDue(bool stopping)
    {
        long retired = Volatile.Read(ref _retiredThrough);
        if (retired <= _retiredDone)
        {
            return;
        }

        bool checkpoint = _time.GetElapsedTime(_lastCheckpoint) >= CheckpointInterval || stopping;
        try
        {
            _spool.RetireThrough(retired, checkpoint);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            GraphiteLog.SpoolFailed(_log, _description, _spool.Directory, ex.Message);
            _counters.SpoolError();
            return;
        }

        _retiredDone = retired;
        if (checkpoint)
        {
            _lastCheckpoint = _time.GetTimestamp();
        }
    }

    /// <summary>Waits for a sealed segment, or the next sync, seal, retry or retirement check, whichever comes first.</summary>
    private async Task WaitAsync()
    {
        TimeSpan due = CheckpointInterval;
        if (!_healthy)
        {
            TimeSpan retry = TimeSpan.FromSeconds((_retryAt - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
            due = retry < due ? retry : due;
        }
        else if (_syncInterval > TimeSpan.Zero)
        {
            // Wake for the sync deadline of what is appended (not a whole interval after the append), and at least
            // every interval for what producers sealed without waking the writer (they wake it only for a backlog).
            TimeSpan next = _unsyncedPoints > 0 ? _syncInterval - _time.GetElapsedTime(_unsyncedSince) : _syncInterval;
            due = next < due ? next : due;
        }

        await _wake.WaitAsync(due, _time).ConfigureAwait(false);
    }
}
