using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;
using AioGraphite.Diagnostics;
using AioGraphite.Transport;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Pipeline;

/// <summary>
/// The single background loop of one destination: connects (and reconnects with back-off), takes sealed
/// batches from the <see cref="SendBuffer"/>, writes them, keeps them in the <see cref="ReplayWindow"/> and
/// writes that window again after a reconnect. Nothing here throws into callers.
/// </summary>
#pragma warning disable CA1001 // _hardStop is disposed when the loop ends (ShutdownAsync), not by an owner.
internal sealed class SenderLoop
#pragma warning restore CA1001
{
    /// <summary>How long the sender must be idle before its pool of spare segments is trimmed.</summary>
    public static readonly TimeSpan PoolTrimDelay = TimeSpan.FromSeconds(10);

    private readonly SendBuffer _buffer;
    private readonly GraphiteConnector _connector;
    private readonly ReplayWindow? _replay;
    private readonly ReconnectBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly GraphiteInstruments _instruments;
    private readonly SenderStatistics _stats;
    private readonly TagList _tags;
    private readonly TimeSpan _batchInterval;
    private readonly bool _udp;
    private readonly int _maxWriteBytes;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _hardStop;
    private readonly List<Segment> _pending = [];
    private readonly List<ArraySegment<byte>> _buffers = [];
    private readonly List<(long Target, TaskCompletionSource Done)> _flushWaiters = [];
    private GraphiteConnection? _connection;
    private Task _run = Task.CompletedTask;
    private long _writtenSequence;
    private volatile bool _draining;
    private bool _everConnected;
    private int _idle;
    private long? _openSince;
    private readonly List<Segment> _spare = [];
    private TimeSpan _hardStopTimeout;

    public SenderLoop(Destination destination, GraphiteClientOptions options, ILogger log, GraphiteInstruments instruments)
    {
        SendBuffer buffer = destination.Buffer;
        _buffer = buffer;
        _connector = destination.Connector;
        _tags = destination.Tags;
        _time = options.TimeProvider;
        _log = log;
        _instruments = instruments;
        _stats = destination.Statistics;
        _batchInterval = options.BatchInterval;
        _udp = options.Transport == GraphiteTransport.Udp;
        _maxWriteBytes = Math.Max(buffer.SegmentBytes, 1 << 20);
        _backoff = new ReconnectBackoff(options.ReconnectInitialDelay, options.ReconnectMaxDelay, Random.Shared.NextDouble);
        _hardStop = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        if (options.ReplayEnabled && !_udp && options.ReplayWindowBytes > 0)
        {
            _replay = new ReplayWindow(options.ReplayWindow, options.ReplayWindowBytes, _time, _spare.Add);
        }
    }

    /// <summary>Signals space freed in the buffer (for <see cref="FullBufferPolicy.Wait"/>).</summary>
    public AsyncSignal SpaceFreed { get; } = new();

    /// <summary>Starts the loop, with an already open connection or none (lazy connect).</summary>
    public void Start(GraphiteConnection? connection)
    {
        _connection = connection;
        if (connection is not null)
        {
            _everConnected = true;
            GraphiteLog.Connected(_log, _connector.Description, _connector.TransportName);
        }

        _run = Task.Run(RunAsync);
    }

    /// <summary>Tells the loop there is work (cheap, never blocks).</summary>
    public void Wake()
    {
        if (Volatile.Read(ref _idle) != 0)
        {
            _wake.Writer.TryWrite(true);
        }
    }

    /// <summary>Wakes the loop whatever it is doing (flush, stop).</summary>
    private void WakeNow() => _wake.Writer.TryWrite(true);

    /// <summary>Completes once everything accepted before the call is written (or dropped).</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        long target = _buffer.SealOpen();
        if (Interlocked.Read(ref _writtenSequence) >= target)
        {
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_flushWaiters)
        {
            _flushWaiters.Add((target, done));
        }

        WakeNow();
        CompleteFlushWaiters();
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Drains within <paramref name="timeout"/>, then stops; returns the points that could not be delivered.</summary>
    public async Task<long> StopAsync(TimeSpan timeout)
    {
        _draining = true;
        _hardStopTimeout = timeout;
        _hardStop.CancelAfter(timeout);
        WakeNow();
        await _run.ConfigureAwait(false);
        return Interlocked.Read(ref _stats.PointsUndelivered);
    }

    private async Task RunAsync()
    {
        while (true)
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
                GraphiteLog.SenderFault(_log, _connector.Description, ex);
                await DisconnectAsync().ConfigureAwait(false);
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
        if (_connection is null)
        {
            if (_draining && _pending.Count == 0 && _buffer.BufferedPoints == 0)
            {
                return false;
            }

            if (!await ConnectAsync().ConfigureAwait(false))
            {
                return !_hardStop.IsCancellationRequested;
            }
        }

        if (_pending.Count == 0)
        {
            // Read the flag once: sealing and the decision to stop must agree, or a close that lands between
            // them would stop the loop with the open batch never sealed (and lose it).
            bool draining = _draining;
            long sealIfOpenedBy = _time.GetTimestamp() - (long)(_batchInterval.TotalSeconds * _time.TimestampFrequency);
            _openSince = _buffer.TakeQueued(_pending, _maxWriteBytes, draining, sealIfOpenedBy);
            if (_pending.Count == 0)
            {
                if (draining)
                {
                    return false;
                }

                await WaitForWorkAsync().ConfigureAwait(false);
                return true;
            }
        }

        await WritePendingAsync().ConfigureAwait(false);
        return true;
    }

    private async Task WaitForWorkAsync()
    {
        // Producers wake the loop only while it is idle (a channel write per batch is not free): announce it,
        // then look once more, so a batch sealed in between is not missed.
        Interlocked.Exchange(ref _idle, 1);
        try
        {
            ValueTask<bool> wakeWait = _wake.Reader.WaitToReadAsync(CancellationToken.None);
            if (!wakeWait.IsCompleted && !_buffer.HasNewWork(_openSince))
            {
                await WaitAsync(wakeWait.AsTask(), _openSince).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Exchange(ref _idle, 0);
        }

        _wake.Reader.TryRead(out _);
        if (_connection is { Closed.IsCompleted: true })
        {
            GraphiteLog.Disconnected(_log, _connector.Description, "the server closed the connection", BufferedBytesForLog());
            await DisconnectAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a wake-up, the peer closing, or the batch interval of the open segment.</summary>
    private async Task WaitAsync(Task wake, long? openSince)
    {
        Task closed = _connection!.Closed;
        if (openSince is not null)
        {
            TimeSpan remaining = _batchInterval - _time.GetElapsedTime(openSince.Value);
            if (remaining > TimeSpan.Zero)
            {
                using var cancelDelay = new CancellationTokenSource();
                Task delay = Task.Delay(remaining, _time, cancelDelay.Token);
                await Task.WhenAny(wake, closed, delay).ConfigureAwait(false);
                await cancelDelay.CancelAsync().ConfigureAwait(false);
            }

            return;
        }

        if (_buffer.PooledSegments <= _buffer.IdlePoolSegments)
        {
            await Task.WhenAny(wake, closed).ConfigureAwait(false);
            return;
        }

        // Idle with a large pool (after a burst): give its memory back after a quiet spell.
        using var cancelQuiet = new CancellationTokenSource();
        Task quiet = Task.Delay(PoolTrimDelay, _time, cancelQuiet.Token);
        if (await Task.WhenAny(wake, closed, quiet).ConfigureAwait(false) == quiet)
        {
            _buffer.TrimPool();
        }

        await cancelQuiet.CancelAsync().ConfigureAwait(false);
    }

    private async Task<bool> ConnectAsync()
    {
        try
        {
            _connection = await _connector.ConnectAsync(_hardStop.Token).ConfigureAwait(false);
        }
        catch (GraphiteException ex)
        {
            TimeSpan delay = _backoff.NextDelay();
            GraphiteLog.ConnectFailed(_log, _connector.Description, (long)delay.TotalMilliseconds, _backoff.Attempts, ex);
            try
            {
                await Task.Delay(delay, _time, _hardStop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        int attempts = _backoff.Attempts + 1;
        _backoff.Reset();
        if (!_everConnected)
        {
            _everConnected = true;
            GraphiteLog.Connected(_log, _connector.Description, _connector.TransportName);
            return true;
        }

        Interlocked.Increment(ref _stats.Reconnects);
        _instruments.Reconnected(_tags);
        long replayPoints = 0;
        if (_replay is not null)
        {
            var replay = new List<Segment>();
            replayPoints = _replay.TakeAll(replay);
            _pending.InsertRange(0, replay);
        }

        GraphiteLog.Reconnected(_log, _connector.Description, attempts, replayPoints);
        return true;
    }

    private async Task WritePendingAsync()
    {
        if (_udp)
        {
            await WriteDatagramsAsync().ConfigureAwait(false);
            return;
        }

        _buffers.Clear();
        foreach (Segment s in _pending)
        {
            _buffers.Add(new ArraySegment<byte>(s.Buffer, 0, s.Length));
        }

        try
        {
            await _connection!.WriteAsync(_buffers, _hardStop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            if (!_hardStop.IsCancellationRequested)
            {
                GraphiteLog.Disconnected(_log, _connector.Description, ex.Message, BufferedBytesForLog());
            }

            await DisconnectAsync().ConfigureAwait(false);
            return;
        }

        Written();
    }

    private async Task WriteDatagramsAsync()
    {
        long lost = 0;
        foreach (Segment s in _pending)
        {
            try
            {
                _buffers.Clear();
                _buffers.Add(new ArraySegment<byte>(s.Buffer, 0, s.Length));
                await _connection!.WriteAsync(_buffers, _hardStop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
                // UDP is fire and forget: a failed datagram is lost, counted and logged; the rest go on.
                GraphiteLog.DatagramFailed(_log, _connector.Description, s.Points, ex);
                Interlocked.Add(ref _stats.PointsUndelivered, s.Points);
                _instruments.PointsDropped(s.Points, DropReason.TransportError, _tags);
                lost += s.Points;
            }
        }

        Written(lost);
    }

    /// <summary>Accounts for a successful write of every pending segment and moves them to the replay window.</summary>
    private void Written(long lostPoints = 0)
    {
        long points = 0;
        long replayed = 0;
        long bytes = 0;
        long firstTimeBytes = 0;
        int firstTimeSegments = 0;
        long sequence = 0;
        foreach (Segment s in _pending)
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
                sequence = Math.Max(sequence, s.Sequence);
            }
        }

        foreach (Segment s in _pending)
        {
            if (_replay is not null)
            {
                _replay.Add(s); // may push older segments out into _spare
            }
            else
            {
                _spare.Add(s);
            }
        }

        _buffer.Recycle(points, firstTimeBytes, firstTimeSegments, _spare);
        _spare.Clear();
        _pending.Clear();
        points -= lostPoints;
        Interlocked.Add(ref _stats.PointsWritten, points);
        Interlocked.Add(ref _stats.PointsReplayed, replayed);
        Interlocked.Add(ref _stats.BytesWritten, bytes);
        _instruments.PointsSent(points, _tags);
        _instruments.BytesWritten(bytes, _tags);
        if (replayed > 0)
        {
            _instruments.PointsReplayed(replayed, _tags);
        }

        if (sequence > Interlocked.Read(ref _writtenSequence))
        {
            Interlocked.Exchange(ref _writtenSequence, sequence);
        }

        SpaceFreed.Pulse();
        CompleteFlushWaiters();
    }

    private void CompleteFlushWaiters()
    {
        long written = Interlocked.Read(ref _writtenSequence);
        lock (_flushWaiters)
        {
            _flushWaiters.RemoveAll(w =>
            {
                if (w.Target > written)
                {
                    return false;
                }

                w.Done.TrySetResult();
                return true;
            });
        }
    }

    private async Task DisconnectAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
    }

    private long BufferedBytesForLog()
    {
        long bytes = _buffer.BufferedBytes + (_replay?.Bytes ?? 0);
        foreach (Segment s in _pending)
        {
            bytes += s.IsReplay ? s.Length : 0;
        }

        return bytes;
    }

    private async Task ShutdownAsync()
    {
        await DisconnectAsync().ConfigureAwait(false);

        // The buffer still counts the segments taken but never written, so this is everything undelivered.
        _pending.Clear();
        long undelivered = _buffer.DiscardAll();
        _replay?.Clear();
        if (undelivered > 0)
        {
            Interlocked.Add(ref _stats.PointsUndelivered, undelivered);
            _instruments.PointsDropped(undelivered, DropReason.CloseTimeout, _tags);
            GraphiteLog.Undelivered(_log, _connector.Description, undelivered, (long)_hardStopTimeout.TotalMilliseconds);
        }

        lock (_flushWaiters)
        {
            foreach ((long _, TaskCompletionSource done) in _flushWaiters)
            {
                done.TrySetException(new GraphiteException($"The client for {_connector.Description} closed before {undelivered} point(s) could be written."));
            }

            _flushWaiters.Clear();
        }

        _hardStop.Dispose();
    }
}
