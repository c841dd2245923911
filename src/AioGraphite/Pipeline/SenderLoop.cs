using AioGraphite.Diagnostics;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using AioGraphite.Transport;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Pipeline;

/// <summary>
/// The single background loop of one destination, and only the loop: each turn it makes sure there is a connection
/// (<see cref="ConnectionManager"/>), takes sealed batches from the <see cref="SendBuffer"/> (or records read back by
/// the <see cref="SpoolCoordinator"/>), has the <see cref="SegmentWriter"/> put them on the connection, and tells the
/// <see cref="DeliveryTracker"/>, which reads what carbon consumed. When a caller waits for delivery, or the client
/// closes, it ends the stream and takes carbon's orderly close as the proof. The <see cref="DrainController"/> ends it;
/// <see cref="DeliveryProgress"/> tells the waiting callers. Nothing here throws into callers.
/// </summary>
#pragma warning disable CA1001 // _drain is disposed when the loop ends (ShutdownAsync), not by an owner.
internal sealed class SenderLoop
#pragma warning restore CA1001
{
    /// <summary>How long the sender must be idle before its pool of spare segments is trimmed.</summary>
    public static readonly TimeSpan PoolTrimDelay = TimeSpan.FromSeconds(10);

    /// <summary>First look at the delivery evidence after going idle with bytes not yet consumed; doubles up to <see cref="MaxEvidencePollDelay"/>.</summary>
    public static readonly TimeSpan MinEvidencePollDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>Longest wait between looks at the delivery evidence while bytes are not consumed.</summary>
    public static readonly TimeSpan MaxEvidencePollDelay = TimeSpan.FromSeconds(1);

    /// <summary>Largest gather write (several segments in one <c>sendmsg</c>): 1 MiB.</summary>
    public const int MaxWriteBytes = 1 << 20;

    // Set once.
    private readonly SendBuffer _buffer;
    private readonly ConnectionManager _connections;
    private readonly SegmentWriter _writer;
    private readonly DeliveryTracker _tracker;
    private readonly SpoolCoordinator _spool;
    private readonly DrainController _drain;
    private readonly PipelineCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly TimeSpan _batchInterval;
    private readonly TimeSpan _receiptTimeout;
    private readonly int _maxWriteBytes;

    // Shared with callers (producers, FlushAsync, WaitForDeliveryAsync, StopAsync).
    private readonly WakeSignal _wake = new();
    private readonly DeliveryProgress _progress = new();
    private int _idle;

    // Loop thread only.
    private readonly List<Batch> _pending = [];
    private readonly List<Batch> _released = [];
    private readonly List<Batch> _probe = [];
    private Task _run = Task.CompletedTask;
    private long? _openSince;
    private long _pendingSettledThrough;
    private TimeSpan _pollDelay = MinEvidencePollDelay;

    public SenderLoop(SendBuffer buffer, ConnectionManager connections, SegmentWriter writer, DeliveryTracker tracker, SpoolCoordinator spool, PipelineCounters counters, GraphiteClientOptions options, ILogger log)
    {
        _buffer = buffer;
        _connections = connections;
        _writer = writer;
        _tracker = tracker;
        _spool = spool;
        _counters = counters;
        _time = options.TimeProvider;
        _log = log;
        _batchInterval = options.BatchInterval;
        _receiptTimeout = options.DeadPeerTimeout;
        _maxWriteBytes = Math.Max(buffer.SegmentBytes, MaxWriteBytes);
        _drain = new DrainController(_time);
    }

    /// <summary>Signals room freed in the buffer, or the connection going away (producers waiting for room look again).</summary>
    public AsyncSignal SpaceFreed { get; } = new();

    /// <summary>Whether a connection is open.</summary>
    public bool IsConnected => _connections.IsConnected;

    /// <summary>Points written and not yet consumed by carbon.</summary>
    public long InFlightPoints => _tracker.InFlightPoints;

    /// <summary>Starts the loop, with an already open connection or none (lazy connect).</summary>
    public void Start(GraphiteConnection? connection)
    {
        if (connection is not null)
        {
            _connections.Adopt(connection);
        }

        _spool.Start();
        _run = Task.Run(RunAsync);
    }

    /// <summary>Tells the loop there is work (cheap, never blocks): a wake-up only while it is idle.</summary>
    public void Wake()
    {
        if (Volatile.Read(ref _idle) != 0)
        {
            _wake.Set();
        }
    }

    /// <summary>Completes once everything accepted before the call is written (or dropped).</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => _progress.FlushAsync(_buffer.SealOpen(), WakeNow, cancellationToken);

    /// <summary>
    /// Completes once carbon has consumed everything accepted before the call (or it was dropped): the sender writes it,
    /// ends the stream and waits for carbon's orderly close. Over UDP, once it is sent.
    /// </summary>
    public Task WaitForDeliveryAsync(CancellationToken cancellationToken) => _progress.WaitForDeliveryAsync(_buffer.SealOpen(), WakeNow, cancellationToken);

    /// <summary>
    /// Delivers within <paramref name="timeout"/>, then stops, counting what carbon did not consume. Returns within
    /// <paramref name="timeout"/> plus twice <see cref="DrainController.CloseGrace"/> even when the spool's disk hangs.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        _drain.Begin(timeout, WakeNow);
        WakeNow();
        try
        {
            await _run.WaitAsync(timeout + DrainController.CloseGrace + DrainController.CloseGrace, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _drain.GiveUpOnHungLoop(_counters, _progress, _log, _connections.Description);
            SpaceFreed.Pulse();
        }
    }

    private void WakeNow() => _wake.Set();

    private long Now => _time.GetTimestamp();

    private async Task RunAsync()
    {
        // Once the close has given up on the loop (held up by the disk past its deadline) and counted what was left, the
        // loop sends nothing more: it only releases what it holds.
        while (!_drain.Accounted)
        {
            try
            {
                if (!await StepAsync().ConfigureAwait(false))
                {
                    break;
                }
            }
            catch (Exception ex) when (!_drain.HardStopped)
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
            if (_drain.Draining && _pending.Count == 0 && _buffer.BufferedPoints == 0 && _tracker.ReplayCount == 0)
            {
                return false;
            }

            if (!await ConnectAsync().ConfigureAwait(false))
            {
                return !_drain.HardStopped;
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
            bool draining = _drain.Draining;
            long sealIfOpenedBy = Now - (long)(_batchInterval.TotalSeconds * _time.TimestampFrequency);
            _openSince = _buffer.TakeQueued(_pending, _maxWriteBytes, draining, sealIfOpenedBy, out _pendingSettledThrough, _spool.FromDisk);
            if (_spool.FromDisk is { Count: > 0 })
            {
                _spool.ReadBack(_pending, _released);
                SettleReleased();
                return true;
            }

            if (_pending.Count == 0)
            {
                _progress.Written(_pendingSettledThrough);
                if (draining && _buffer.AwaitsSpoolWriter)
                {
                    // Closing: the last batches must reach the disk before they may be sent, and the spool writer
                    // (woken by the seal) wakes the loop when they have; so does the hard stop.
                    if (_drain.HardStopped)
                    {
                        return false;
                    }

                    await WaitForWorkAsync(connection, untilWoken: true).ConfigureAwait(false);
                    return true;
                }

                if (draining && _buffer.BufferedPoints > 0)
                {
                    // The spool writer released the last batches between the take and the look above: take them now
                    // (stopping here would leave them in the spool with carbon up).
                    return true;
                }

                if (draining)
                {
                    // Everything is written: end with carbon's proof (TCP), then stop.
                    return connection.BytesWritten > 0 && _tracker.WantsReceipt(connection) && await ConfirmDeliveryAsync(connection).ConfigureAwait(false);
                }

                if (DeliveryDue(connection))
                {
                    return await ConfirmDeliveryAsync(connection).ConfigureAwait(false);
                }

                await WaitForWorkAsync(connection).ConfigureAwait(false);
                return true;
            }
        }

        if (_connections.Probing && _tracker.UnconsumedCount > 0)
        {
            // After a lost connection, one segment at a time until carbon is seen consuming on this one.
            await WaitForWorkAsync(connection).ConfigureAwait(false);
            return true;
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

        long highest = _progress.HighestDeliveryTarget;
        long written = _progress.WrittenSequence;
        if (highest == 0 || written < highest)
        {
            return false;
        }

        if (!_tracker.WantsReceipt(connection))
        {
            _progress.Confirmed(written);
            return false;
        }

        return true;
    }

    private async Task<bool> ConnectAsync()
    {
        ConnectOutcome outcome = await _connections.ConnectAsync(_drain.HardStop).ConfigureAwait(false);
        switch (outcome)
        {
            case ConnectOutcome.Failed:
                return false;
            case ConnectOutcome.Reconnected:
                _counters.Reconnected();
                long replayPoints = _tracker.TakeReplay(_pending);
                GraphiteLog.Reconnected(_log, _connections.Description, _connections.AttemptsToConnect, replayPoints);
                break;
            case ConnectOutcome.Renewed:
                GraphiteLog.ConnectionRenewed(_log, _connections.Description);
                break;
        }

        return true;
    }

    /// <summary>
    /// Waits for work (see <see cref="WaitAsync"/>), or, with <paramref name="untilWoken"/>, only for a wake-up (the
    /// spool writer's, the hard stop's) or the connection closing.
    /// </summary>
    private async Task WaitForWorkAsync(GraphiteConnection connection, bool untilWoken = false)
    {
        // Producers wake the loop only while it is idle (a channel write per batch is not free): announce it,
        // then look once more, so a batch sealed in between is not missed.
        Interlocked.Exchange(ref _idle, 1);
        try
        {
            if (!_wake.IsSet && !_buffer.HasNewWork(_openSince) && (untilWoken || !_drain.Draining))
            {
                await (untilWoken ? _wake.WaitAsync(null, _time, connection.Closed) : WaitAsync(connection)).ConfigureAwait(false);
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

        if (_tracker.UnconsumedCount > 0)
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
        List<Batch> batch = _pending;
        if (_connections.Probing && _pending.Count > 1)
        {
            _probe.Add(_pending[0]);
            _pending.RemoveAt(0);
            batch = _probe;
        }

        WriteResult result = await _writer.WriteAsync(connection, batch, _drain.HardStop).ConfigureAwait(false);
        if (result.ConnectionLost)
        {
            if (batch == _probe)
            {
                _pending.InsertRange(0, _probe); // not written: it goes back in front
                _probe.Clear();
            }

            if (!_drain.HardStopped)
            {
                GraphiteLog.Disconnected(_log, _connections.Description, result.Failure!.Message, HeldBytes());
            }

            await LoseConnectionAsync().ConfigureAwait(false);
            return;
        }

        Written(batch, streamStart, result.LostPoints);
    }

    /// <summary>Accounts for a successful write of <paramref name="batch"/> (all pending segments, or a probe) and hands it to the tracker.</summary>
    private void Written(List<Batch> batch, long streamStart, long lostPoints)
    {
        long points = 0;
        long replayed = 0;
        long bytes = 0;
        long firstTimeBytes = 0;
        int firstTimeSegments = 0;
        foreach (Batch s in batch)
        {
            bytes += s.Length;
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
        }

        bool confirmedByWriting = _tracker.Written(batch, streamStart, Now, lostPoints, _released);
        batch.Clear();
        _buffer.Settle(points, firstTimeBytes, firstTimeSegments, _released);
        _released.Clear();
        _counters.Written(points - lostPoints, replayed, bytes);
        _counters.Undelivered(lostPoints, DropReason.TransportError);
        _pollDelay = MinEvidencePollDelay;
        if (_pending.Count == 0)
        {
            _connections.Status.Replaying(false); // every pending segment, replays first, is written
            _progress.Written(_pendingSettledThrough);
        }

        SpaceFreed.Pulse();
        if (confirmedByWriting)
        {
            _connections.Proven(); // UDP: nothing more to learn
            _progress.Confirmed(_progress.WrittenSequence);
        }

        RetireSpooled();
    }

    /// <summary>Tells the spool what may be retired: every record below the lowest sequence the pipeline still holds.</summary>
    private void RetireSpooled()
    {
        long lowest = _pendingSettledThrough + 1;
        foreach (Batch s in _pending)
        {
            lowest = Math.Min(lowest, s.Sequence);
        }

        _spool.Retire(Math.Min(lowest, _tracker.LowestSequence));
    }

    /// <summary>Reads the connection's evidence of what carbon has consumed; a connection on which carbon consumes is proven.</summary>
    private void ReadEvidence(GraphiteConnection connection)
    {
        if (_tracker.ReadEvidence(connection, Now, _released))
        {
            _connections.Proven();
        }

        if (_released.Count > 0)
        {
            SettleReleased();
            RetireSpooled();
        }
    }

    /// <summary>Gives the segments done with back to the buffer's pool.</summary>
    private void SettleReleased()
    {
        if (_released.Count > 0)
        {
            _buffer.Settle(0, 0, 0, _released);
            _released.Clear();
        }
    }

    /// <summary>
    /// Ends the stream and waits for carbon's orderly close: the proof that it consumed everything written on this
    /// connection. Then the connection is renewed (or, when closing with nothing left, the loop stops). Without the proof
    /// within the dead-peer timeout the connection counts as lost, and the unconfirmed bytes are replayed on a new one.
    /// </summary>
    private async Task<bool> ConfirmDeliveryAsync(GraphiteConnection connection)
    {
        long through = _progress.WrittenSequence;
        long bytes = connection.BytesWritten;
        long endSentAt = Now;
        bool confirmed;
        try
        {
            confirmed = await connection.EndStreamAsync(_receiptTimeout, _drain.HardStop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            confirmed = false;
        }

        if (!confirmed)
        {
            if (_drain.HardStopped)
            {
                return false;
            }

            GraphiteLog.DeliveryNotConfirmed(_log, _connections.Description, (long)_receiptTimeout.TotalMilliseconds);
            await LoseConnectionAsync().ConfigureAwait(false);
            return true;
        }

        _tracker.ReceiptConfirmed(endSentAt, Now, _released);
        SettleReleased();
        RetireSpooled();
        GraphiteLog.DeliveryConfirmed(_log, _connections.Description, bytes);
        await _connections.EndedAsync().ConfigureAwait(false);
        _progress.Confirmed(through);

        // Closing: done once carbon confirmed everything (a delivery waiter's receipt may come before the last batches).
        return !_drain.Draining || !NothingLeft;
    }

    /// <summary>Whether the pipeline holds nothing carbon has not confirmed by its orderly close: a clean end.</summary>
    private bool NothingLeft => _tracker.EverythingConfirmed && _pending.Count == 0 && _buffer.BufferedPoints == 0 && !_buffer.AwaitsSpoolWriter;

    /// <summary>The connection broke: what carbon may have lost goes to the replay set; the connection is closed.</summary>
    private async Task LoseConnectionAsync()
    {
        long lost = _tracker.ConnectionLost(_released);
        if (lost > 0)
        {
            GraphiteLog.ConnectionLostWithoutReplay(_log, _connections.Description, lost);
            _counters.Undelivered(lost, DropReason.ConnectionLost);
        }

        SettleReleased();
        ValueTask closing = _connections.LostAsync(); // marks the destination disconnected before it reads as replaying
        _connections.Status.Replaying(_tracker.ReplayCount > 0 || _pending.Exists(static s => s.IsReplay));
        await closing.ConfigureAwait(false);
        SpaceFreed.Pulse();
    }

    private long HeldBytes() => _buffer.BufferedBytes + _tracker.HeldBytes;

    /// <summary>
    /// The loop ended: what carbon did not confirm (never taken from the buffer, taken and not written, or written and
    /// not consumed, or consumed but possibly lost) is kept in the spool for the next client, or counted; then the
    /// spool is released and the waiters told.
    /// </summary>
    private async Task ShutdownAsync()
    {
        await _connections.LostAsync().ConfigureAwait(false);
        await _spool.StopWriterAsync(_drain.UntilDeadline + DrainController.CloseGrace).ConfigureAwait(false); // everything sealed is on disk and synced, unless the disk hangs

        // Unless carbon confirmed everything at the end, what it consumed but may still lose is kept too.
        var leftovers = new Leftovers();
        bool clean = NothingLeft;
        _buffer.DiscardAll(ref leftovers);
        foreach (Batch s in _pending)
        {
            leftovers.Add(s);
        }

        _tracker.Close(clean, _released, ref leftovers);
        _pending.Clear();
        _released.Clear();
        _connections.Status.Replaying(false);
        _spool.Close(leftovers, _buffer.LastSequence);
        _drain.Account(leftovers, _spool.KeepsLeftovers, _counters, _progress, _log, _connections.Description);
        SpaceFreed.Pulse();
        _drain.Dispose();
    }
}
