using AioGraphite.Diagnostics;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using AioGraphite.Transport;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Pipeline;

/// <summary>
/// The single background loop of one destination. Each turn it makes sure there is a connection
/// (<see cref="ConnectionManager"/>), takes sealed batches from the <see cref="SendBuffer"/>, has the
/// <see cref="SegmentWriter"/> put them on the connection, records them in the <see cref="DeliveryLedger"/> and reads
/// the connection's delivery evidence into it. When a caller waits for delivery, or the client closes, it ends the
/// stream and takes carbon's orderly close as the proof. A lost connection hands the ledger's replay list to the next
/// one. Nothing here throws into callers.
/// </summary>
#pragma warning disable CA1001 // _hardStop is disposed when the loop ends (ShutdownAsync), not by an owner.
internal sealed class SenderLoop
#pragma warning restore CA1001
{
    /// <summary>How long the sender must be idle before its pool of spare segments is trimmed.</summary>
    public static readonly TimeSpan PoolTrimDelay = TimeSpan.FromSeconds(10);

    /// <summary>First look at the delivery evidence after going idle with bytes not yet consumed; doubles up to <see cref="MaxEvidencePollDelay"/>.</summary>
    public static readonly TimeSpan MinEvidencePollDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>Longest wait between looks at the delivery evidence while bytes are not consumed.</summary>
    public static readonly TimeSpan MaxEvidencePollDelay = TimeSpan.FromSeconds(1);

    /// <summary>While closing, how long the loop waits at most before it looks again whether the spool writer has appended the last batches.</summary>
    public static readonly TimeSpan SpoolWriterPollDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How long, past the close's deadline, the spool writer may take to finish its last write and sync, and then the loop
    /// to release the spool, before the close goes on without them (a disk that hangs: an NFS or FUSE mount that never
    /// answers). <c>CloseAsync</c> returns within <c>DrainTimeout</c> plus twice this.
    /// </summary>
    public static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(1);

    /// <summary>Largest gather write (several segments in one <c>sendmsg</c>): 1 MiB.</summary>
    public const int MaxWriteBytes = 1 << 20;

    // Set once.
    private readonly SendBuffer _buffer;
    private readonly ConnectionManager _connections;
    private readonly SegmentWriter _writer;
    private readonly DeliveryLedger? _ledger;
    private readonly DestinationSpool? _spool;
    private readonly SpoolWriter? _spoolWriter;
    private readonly PipelineCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly TimeSpan _batchInterval;
    private readonly TimeSpan _receiptTimeout;
    private readonly int _maxWriteBytes;

    // Shared with callers (producers, FlushAsync, WaitForDeliveryAsync, StopAsync).
    private readonly WakeSignal _wake = new();
    private readonly CancellationTokenSource _hardStop;
    private readonly SequenceWaiters _flushWaiters = new();
    private readonly SequenceWaiters _deliveryWaiters = new();
    private long _writtenSequence;   // every sealed segment up to it is written (or was dropped)
    private long _confirmedSequence; // every sealed segment up to it is confirmed consumed by carbon's orderly close
    private long _inFlightPoints;    // written, not yet consumed (published for statistics)
    private int _idle;
    private volatile bool _draining;
    private TimeSpan _hardStopTimeout;
    private long _stopDeadline;      // when the close gives up delivering (a GetTimestamp value)
    private int _leftoversCounted;   // the loop's shutdown, or the close that gave up on the loop, counted what was left

    // Loop thread only.
    private readonly List<Segment> _pending = [];
    private readonly List<Segment> _released = [];
    private readonly List<SpoolLocation> _fromDisk = [];
    private Task _run = Task.CompletedTask;
    private long? _openSince;
    private long _pendingSettledThrough;
    private TimeSpan _pollDelay = MinEvidencePollDelay;

    public SenderLoop(SendBuffer buffer, ConnectionManager connections, SegmentWriter writer, PipelineCounters counters, GraphiteClientOptions options, ILogger log, DestinationSpool? spool = null, SpoolWriter? spoolWriter = null)
    {
        _buffer = buffer;
        _spool = spool;
        _spoolWriter = spoolWriter;
        _connections = connections;
        _writer = writer;
        _counters = counters;
        _time = options.TimeProvider;
        _log = log;
        _batchInterval = options.BatchInterval;
        _receiptTimeout = options.DeadPeerTimeout;
        _maxWriteBytes = Math.Max(buffer.SegmentBytes, MaxWriteBytes);
        _hardStop = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        if (writer.TracksDelivery)
        {
            _ledger = new DeliveryLedger(options.ReplayWindow, options.ReplayWindowBytes, options.ReplayEnabled, _time.TimestampFrequency);
        }
    }

    /// <summary>Signals room freed in the buffer, or the connection going away (producers waiting for room look again).</summary>
    public AsyncSignal SpaceFreed { get; } = new();

    /// <summary>Whether a connection is open.</summary>
    public bool IsConnected => _connections.IsConnected;

    /// <summary>Points written and not yet consumed by carbon.</summary>
    public long InFlightPoints => Volatile.Read(ref _inFlightPoints);

    /// <summary>Starts the loop, with an already open connection or none (lazy connect).</summary>
    public void Start(GraphiteConnection? connection)
    {
        if (connection is not null)
        {
            _connections.Adopt(connection);
        }

        _spoolWriter?.Start();
        _run = Task.Run(RunAsync);
    }

    /// <summary>Tells the loop there is work (cheap, never blocks).</summary>
    public void Wake()
    {
        if (Volatile.Read(ref _idle) != 0)
        {
            _wake.Set();
        }
    }

    /// <summary>Completes once everything accepted before the call is written (or dropped).</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => WaitUntilAsync(_flushWaiters, ref _writtenSequence, cancellationToken);

    /// <summary>
    /// Completes once carbon has consumed everything accepted before the call (or it was dropped): the sender writes it,
    /// ends the stream and waits for carbon's orderly close. Over UDP, once it is sent.
    /// </summary>
    public Task WaitForDeliveryAsync(CancellationToken cancellationToken) => WaitUntilAsync(_deliveryWaiters, ref _confirmedSequence, cancellationToken);

    /// <summary>Seals what was accepted before the call and waits until <paramref name="reached"/> (which the loop advances) covers it.</summary>
    private Task WaitUntilAsync(SequenceWaiters waiters, ref long reached, CancellationToken cancellationToken)
    {
        long target = _buffer.SealOpen();
        if (Volatile.Read(ref reached) >= target)
        {
            return Task.CompletedTask;
        }

        Task done = waiters.Add(target, cancellationToken); // a cancelled wait leaves the list (it would stay there otherwise)
        WakeNow();
        waiters.CompleteUpTo(Volatile.Read(ref reached)); // the loop may have passed the target before the waiter was added
        return done;
    }

    /// <summary>
    /// Delivers within <paramref name="timeout"/>, then stops, counting what carbon did not consume. Returns within
    /// <paramref name="timeout"/> plus twice <see cref="CloseGrace"/> even when the spool's disk hangs.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        _hardStopTimeout = timeout;
        Volatile.Write(ref _stopDeadline, _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency));
        _draining = true;
        try
        {
            _hardStop.CancelAfter(timeout);
        }
        catch (ObjectDisposedException)
        {
            // The loop has already ended.
        }

        WakeNow();
        try
        {
            await _run.WaitAsync(timeout + CloseGrace + CloseGrace, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            GiveUpOnHungLoop();
        }
    }

    /// <summary>
    /// The loop did not stop in time: it hangs in a spool read or in releasing the spool (a sick disk). The close goes on
    /// without it: what carbon did not consume is counted and logged, waiters fail. The loop ends by itself if the disk
    /// ever answers.
    /// </summary>
    private void GiveUpOnHungLoop()
    {
        long points = _counters.Outstanding;
        if (Interlocked.Exchange(ref _leftoversCounted, 1) == 0)
        {
            _counters.Undelivered(points, DropReason.CloseTimeout);
            GraphiteLog.SenderHung(_log, _connections.Description, (long)(2 * CloseGrace.TotalMilliseconds), points);
        }

        _flushWaiters.FailAll(new GraphiteException($"The client for {_connections.Description} closed before the points could be written."));
        _deliveryWaiters.FailAll(new GraphiteException($"The client for {_connections.Description} closed before carbon confirmed delivery."));
        SpaceFreed.Pulse();
    }

    /// <summary>Time left until the close's deadline (zero when it has passed).</summary>
    private TimeSpan UntilStopDeadline()
    {
        long left = Volatile.Read(ref _stopDeadline) - _time.GetTimestamp();
        return left > 0 ? TimeSpan.FromSeconds(left / (double)_time.TimestampFrequency) : TimeSpan.Zero;
    }

    private void WakeNow() => _wake.Set();

    private long Now => _time.GetTimestamp();

    private async Task RunAsync()
    {
        // Once the close has given up on the loop (held up by the disk past its deadline) and counted what was left, the
        // loop sends nothing more: it only releases what it holds.
        while (Volatile.Read(ref _leftoversCounted) == 0)
        {
            try
            {
                if (!await StepAsync().ConfigureAwait(false))
                {
                    break;
                }
            }
            catch (Exception ex) when (!_hardStop.IsCancellationRequested)
            {
                GraphiteLog.SenderFault(_log, _connections.Description, ex);
                await LoseConnectionAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                break;
            }
        }

        await ShutdownAsync().ConfigureAwait(false);
    }

    /// <summary>One turn of the loop; false when it is done.</summary>
    private async Task<bool> StepAsync()
    {
        GraphiteConnection? connection = _connections.Current;
        if (connection is null)
        {
            if (_draining && _pending.Count == 0 && _buffer.BufferedPoints == 0 && (_ledger?.ReplayCount ?? 0) == 0)
            {
                return false;
            }

            if (!await ConnectAsync().ConfigureAwait(false))
            {
                return !_hardStop.IsCancellationRequested;
            }

            connection = _connections.Current!;
        }

        ReadEvidence(connection);
        if (DeliveryDue(connection))
        {
            return await ConfirmDeliveryAsync(connection).ConfigureAwait(false);
        }

        if (_pending.Count == 0)
        {
            // Read the flag once: sealing and the decision to stop must agree, or a close that lands between
            // them would stop the loop with the open batch never sealed (and lose it).
            bool draining = _draining;
            long sealIfOpenedBy = _time.GetTimestamp() - (long)(_batchInterval.TotalSeconds * _time.TimestampFrequency);
            _openSince = _buffer.TakeQueued(_pending, _maxWriteBytes, draining, sealIfOpenedBy, out _pendingSettledThrough, _spool is null ? null : _fromDisk);
            if (_fromDisk.Count > 0)
            {
                ReadFromSpool();
                return true;
            }

            if (_pending.Count == 0)
            {
                Reached(_pendingSettledThrough);
                if (draining && _buffer.AwaitsSpoolWriter)
                {
                    // Closing: the last batches must reach the disk before they may be sent, and the spool writer
                    // (woken by the seal) wakes the loop when they have. Up to the close's deadline.
                    if (_hardStop.IsCancellationRequested)
                    {
                        return false;
                    }

                    await WaitForWorkAsync(connection, forSpoolWriter: true).ConfigureAwait(false);
                    return true;
                }

                if (draining)
                {
                    // Everything is written: end with carbon's proof (TCP), then stop.
                    return _ledger is not null && connection.BytesWritten > 0 && await ConfirmDeliveryAsync(connection).ConfigureAwait(false);
                }

                if (DeliveryDue(connection))
                {
                    return await ConfirmDeliveryAsync(connection).ConfigureAwait(false);
                }

                await WaitForWorkAsync(connection).ConfigureAwait(false);
                return true;
            }
        }

        await WritePendingAsync(connection).ConfigureAwait(false);
        return true;
    }

    /// <summary>Whether a delivery waiter's points are all written, so the stream can end for carbon's proof.</summary>
    private bool DeliveryDue(GraphiteConnection connection)
    {
        if (_pending.Count > 0)
        {
            return false; // replays and taken batches go first
        }

        long highest = _deliveryWaiters.HighestTarget;
        long written = Volatile.Read(ref _writtenSequence);
        if (highest == 0 || written < highest)
        {
            return false;
        }

        if (_ledger is null || (connection.BytesWritten == 0 && _ledger.UndeliveredPoints == 0))
        {
            // UDP has no proof beyond sending; a fresh connection after a confirmed one carries nothing unconfirmed.
            Confirmed(written);
            return false;
        }

        return true;
    }

    private async Task<bool> ConnectAsync()
    {
        ConnectOutcome outcome = await _connections.ConnectAsync(_hardStop.Token).ConfigureAwait(false);
        switch (outcome)
        {
            case ConnectOutcome.Failed:
                return false;
            case ConnectOutcome.Reconnected:
                _counters.Reconnected();
                long replayPoints = _ledger?.TakeReplay(_pending) ?? 0;
                GraphiteLog.Reconnected(_log, _connections.Description, _connections.AttemptsToConnect, replayPoints);
                break;
            case ConnectOutcome.Renewed:
                GraphiteLog.ConnectionRenewed(_log, _connections.Description);
                break;
        }

        return true;
    }

    /// <summary>
    /// Waits for work (see <see cref="WaitAsync"/>), or, with <paramref name="forSpoolWriter"/> while closing, for the spool
    /// writer to put the last batches on disk (looking again every <see cref="SpoolWriterPollDelay"/> at the most).
    /// </summary>
    private async Task WaitForWorkAsync(GraphiteConnection connection, bool forSpoolWriter = false)
    {
        // Producers wake the loop only while it is idle (a channel write per batch is not free): announce it,
        // then look once more, so a batch sealed in between is not missed.
        Interlocked.Exchange(ref _idle, 1);
        try
        {
            if (!_wake.IsSet && !_buffer.HasNewWork(_openSince) && (forSpoolWriter || !_draining))
            {
                await (forSpoolWriter ? _wake.WaitAsync(SpoolWriterPollDelay, _time, connection.Closed) : WaitAsync(connection)).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Exchange(ref _idle, 0);
        }

        _wake.Clear();
        if (connection.Closed.IsCompleted)
        {
            GraphiteLog.Disconnected(_log, _connections.Description, connection.Closed.Result ? "the server closed the connection" : "the connection was reset or timed out", HeldBytes());
            await LoseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits for a wake-up, the peer closing, or the first of: the batch interval of the open segment, the next look at
    /// the delivery evidence (while bytes are unconsumed), the pool trim after a quiet spell.
    /// </summary>
    private async Task WaitAsync(GraphiteConnection connection)
    {
        TimeSpan? due = null;
        if (_openSince is long opened)
        {
            due = _batchInterval - _time.GetElapsedTime(opened);
        }

        if (_ledger is { UnconsumedCount: > 0 })
        {
            due = due is { } d && d < _pollDelay ? d : _pollDelay;
            _pollDelay = _pollDelay * 2 < MaxEvidencePollDelay ? _pollDelay * 2 : MaxEvidencePollDelay;
        }

        bool trim = due is null && _buffer.PooledSegments > _buffer.IdlePoolSegments;
        if (trim)
        {
            due = PoolTrimDelay;
        }

        if (await _wake.WaitAsync(due, _time, connection.Closed).ConfigureAwait(false) && trim)
        {
            // Idle with a large pool (after a burst): give its memory back after a quiet spell.
            _buffer.TrimPool();
        }
    }

    private async Task WritePendingAsync(GraphiteConnection connection)
    {
        long streamStart = connection.BytesWritten;
        WriteResult result = await _writer.WriteAsync(connection, _pending, _hardStop.Token).ConfigureAwait(false);
        if (result.ConnectionLost)
        {
            if (!_hardStop.IsCancellationRequested)
            {
                GraphiteLog.Disconnected(_log, _connections.Description, result.Failure!.Message, HeldBytes());
            }

            await LoseConnectionAsync().ConfigureAwait(false);
            return;
        }

        Written(streamStart, result.LostPoints);
    }

    /// <summary>Accounts for a successful write of every pending segment and hands them to the ledger (or, for UDP, settles them).</summary>
    private void Written(long streamStart, long lostPoints)
    {
        long now = Now;
        long points = 0;
        long replayed = 0;
        long bytes = 0;
        long firstTimeBytes = 0;
        int firstTimeSegments = 0;
        long offset = streamStart;
        var delivered = default(DeliveryTally);
        foreach (Segment s in _pending)
        {
            bytes += s.Length;
            offset += s.Length;
            if (s.IsReplay)
            {
                replayed += s.Points;
            }
            else
            {
                points += s.Points;
                firstTimeBytes += s.Length;
                firstTimeSegments++;
            }

            if (_ledger is not null)
            {
                _ledger.Written(s, offset, now);
            }
            else
            {
                // UDP: a datagram sent is all there is to know.
                delivered.Points += s.Points;
                delivered.Segments++;
                _released.Add(s);
            }
        }

        _pending.Clear();
        _buffer.Settle(points, firstTimeBytes, firstTimeSegments, _released);
        _released.Clear();
        _counters.Written(points - lostPoints, replayed, bytes);
        _counters.Undelivered(lostPoints, DropReason.TransportError);
        Delivered(delivered.Points - lostPoints);
        _connections.Status.Replaying(false); // every pending segment, replays first, is written
        _pollDelay = MinEvidencePollDelay;
        PublishInFlight();
        Reached(_pendingSettledThrough);
        SpaceFreed.Pulse();
        if (_ledger is null)
        {
            Confirmed(Volatile.Read(ref _writtenSequence));
        }

        RetireSpooled();
    }

    /// <summary>Reads the records taken from the spool back into segments (the oldest first) for the next write.</summary>
    private void ReadFromSpool()
    {
        foreach (SpoolLocation record in _fromDisk)
        {
            Segment segment = _buffer.RentForRecord(record.PayloadLength);
            bool read;
            try
            {
                read = _spool!.TryRead(record, segment);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                read = false;
            }

            if (read)
            {
                segment.Durability = SegmentDurability.Spooled;
                _pending.Add(segment);
                continue;
            }

            GraphiteLog.SpoolRecordLost(_log, _connections.Description, _spool!.Directory, record.Points);
            _buffer.RecordLost(record.Points, record.PayloadLength);
            _counters.Undelivered(record.Points, DropReason.SpoolCorrupt);
            _released.Add(segment);
        }

        _fromDisk.Clear();
        Settle(default);
    }

    /// <summary>Tells the spool writer what is retired: every record below the lowest sequence the pipeline still holds.</summary>
    private void RetireSpooled()
    {
        if (_spoolWriter is null)
        {
            return;
        }

        long lowest = _pendingSettledThrough + 1;
        foreach (Segment s in _pending)
        {
            lowest = Math.Min(lowest, s.Sequence);
        }

        if (_ledger is not null)
        {
            lowest = Math.Min(lowest, _ledger.LowestSequence);
        }

        _spoolWriter.Retire(lowest - 1);
    }

    /// <summary>Every sealed segment up to <paramref name="sequence"/> is written or was dropped.</summary>
    private void Reached(long sequence)
    {
        if (sequence > Volatile.Read(ref _writtenSequence))
        {
            Volatile.Write(ref _writtenSequence, sequence);
        }

        _flushWaiters.CompleteUpTo(Volatile.Read(ref _writtenSequence));
    }

    private void Confirmed(long sequence)
    {
        if (sequence > Volatile.Read(ref _confirmedSequence))
        {
            Volatile.Write(ref _confirmedSequence, sequence);
        }

        _deliveryWaiters.CompleteUpTo(Volatile.Read(ref _confirmedSequence));
    }

    /// <summary>Reads the connection's evidence of what carbon has consumed into the ledger, and settles what it delivered.</summary>
    private void ReadEvidence(GraphiteConnection connection)
    {
        if (_ledger is null || (_ledger.UnconsumedCount == 0 && _ledger.RetainedCount == 0))
        {
            return;
        }

        long consumed = _ledger.UnconsumedCount > 0 ? connection.ReadConsumedBytes() : 0;
        var delivered = default(DeliveryTally);
        _ledger.Observe(consumed, Now, ref delivered, _released);
        bool retired = _released.Count > 0;
        Settle(delivered);
        if (retired)
        {
            RetireSpooled();
        }
    }

    private void Settle(DeliveryTally delivered)
    {
        if (_released.Count > 0)
        {
            _buffer.Settle(0, 0, 0, _released);
            _released.Clear();
        }

        if (delivered.Segments > 0)
        {
            Delivered(delivered.Points);
            PublishInFlight();
        }
    }

    private void Delivered(long points)
    {
        if (points > 0)
        {
            _connections.Status.Delivered(); // first: whoever sees the count sees the time
            _counters.Delivered(points);
        }
    }

    /// <summary>
    /// Ends the stream and waits for carbon's orderly close: the proof that it consumed everything written on this
    /// connection. Then the connection is renewed (or, when closing, the loop stops). Without the proof within the
    /// dead-peer timeout the connection counts as lost, and the unconfirmed bytes are replayed on a new one.
    /// </summary>
    private async Task<bool> ConfirmDeliveryAsync(GraphiteConnection connection)
    {
        long through = Volatile.Read(ref _writtenSequence);
        long bytes = connection.BytesWritten;
        bool confirmed;
        try
        {
            confirmed = await connection.EndStreamAsync(_receiptTimeout, _hardStop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            confirmed = false;
        }

        if (!confirmed)
        {
            if (_hardStop.IsCancellationRequested)
            {
                return false;
            }

            GraphiteLog.DeliveryNotConfirmed(_log, _connections.Description, (long)_receiptTimeout.TotalMilliseconds);
            await LoseConnectionAsync().ConfigureAwait(false);
            return true;
        }

        var delivered = default(DeliveryTally);
        _ledger!.ConfirmAll(Now, ref delivered, _released);
        Settle(delivered);
        RetireSpooled();
        PublishInFlight();
        GraphiteLog.DeliveryConfirmed(_log, _connections.Description, bytes);
        await _connections.EndedAsync().ConfigureAwait(false);
        Confirmed(through);
        return !_draining;
    }

    /// <summary>The connection broke: what carbon may have lost goes to the replay list; the connection is closed.</summary>
    private async Task LoseConnectionAsync()
    {
        if (_ledger is not null)
        {
            long lost = _ledger.ConnectionLost(Now, _released);
            if (lost > 0)
            {
                GraphiteLog.ConnectionLostWithoutReplay(_log, _connections.Description, lost);
                _counters.Undelivered(lost, DropReason.ConnectionLost);
            }

            Settle(default);
            _connections.Status.Replaying(_ledger.ReplayCount > 0 || _pending.Exists(static s => s.IsReplay));
        }

        await _connections.LostAsync().ConfigureAwait(false);
        PublishInFlight();
        SpaceFreed.Pulse();
    }

    private void PublishInFlight() => Volatile.Write(ref _inFlightPoints, _ledger?.UndeliveredPoints ?? 0);

    private long HeldBytes() => _buffer.BufferedBytes + (_ledger?.HeldBytes ?? 0);

    private async Task ShutdownAsync()
    {
        await _connections.LostAsync().ConfigureAwait(false);
        bool spoolReleasable = true;
        if (_spoolWriter is not null && !await _spoolWriter.StopAsync(UntilStopDeadline() + CloseGrace).ConfigureAwait(false))
        {
            // Its write or sync hangs: what it had not spooled is lost with the memory, and the spool (which it may be
            // writing to) is left to it; it releases it if the write ever returns.
            spoolReleasable = false;
            GraphiteLog.SpoolWriterHung(_log, _connections.Description, _spool!.Directory, (long)CloseGrace.TotalMilliseconds);
        }

        // What carbon did not consume: never taken from the buffer, taken and not written (first time or replay), or
        // written and unconsumed in the ledger. With a spool, what is on disk stays there for the next client.
        var leftovers = new Leftovers();
        _buffer.DiscardAll(ref leftovers);
        foreach (Segment s in _pending)
        {
            if (!s.Delivered)
            {
                leftovers.Add(s);
            }
        }

        _ledger?.Clear(_released, ref leftovers);
        _pending.Clear();
        _released.Clear();
        _connections.Status.Replaying(false);
        PublishInFlight();
        if (_spool is not null)
        {
            CloseSpool(leftovers, spoolReleasable);
        }

        long undelivered = leftovers.Points;
        if (undelivered > 0 && Interlocked.Exchange(ref _leftoversCounted, 1) == 0)
        {
            _counters.Undelivered(undelivered, DropReason.CloseTimeout);
            GraphiteLog.Undelivered(_log, _connections.Description, undelivered, (long)_hardStopTimeout.TotalMilliseconds);
        }

        _flushWaiters.FailAll(new GraphiteException($"The client for {_connections.Description} closed before {undelivered} point(s) could be written."));
        _deliveryWaiters.FailAll(new GraphiteException($"The client for {_connections.Description} closed before carbon confirmed delivery; {undelivered} point(s) were not consumed."));
        SpaceFreed.Pulse();
        _hardStop.Dispose();
    }

    /// <summary>
    /// Retires what carbon consumed, leaves the rest for the next client, and releases the spool (an empty one is removed);
    /// without <paramref name="releasable"/> (the spool writer hangs in a write) it only says what stays on disk.
    /// </summary>
    private void CloseSpool(in Leftovers leftovers, bool releasable)
    {
        if (!releasable)
        {
            if (leftovers.KeptPoints > 0)
            {
                GraphiteLog.SpoolLeftForNextStart(_log, _connections.Description, _spool!.Directory, leftovers.KeptPoints);
            }

            return;
        }

        long retired = leftovers.LowestKept == long.MaxValue ? _buffer.LastSequence : leftovers.LowestKept - 1;
        try
        {
            _spool!.RemoveIfEmpty(retired);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            GraphiteLog.SpoolFailed(_log, _connections.Description, _spool!.Directory, ex.Message);
        }

        if (leftovers.KeptPoints > 0)
        {
            GraphiteLog.SpoolLeftForNextStart(_log, _connections.Description, _spool.Directory, leftovers.KeptPoints);
        }

        _spool.Dispose();
    }
}
