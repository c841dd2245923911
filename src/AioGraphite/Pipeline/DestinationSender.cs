using AioGraphite.Diagnostics;
using AioGraphite.Naming;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using AioGraphite.Transport;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Pipeline;

/// <summary>
/// Everything of one carbon destination: its buffer (the producers' half), its sender loop with connection, writer and
/// delivery ledger, its counters and its cache of checked names. It owns the lock of its buffer: producers check and
/// append through it (<c>DestinationSender.Producer.cs</c>), the loop and the spool writer lock through the buffer's
/// methods. It also answers flush, delivery and stop.
/// </summary>
internal sealed partial class DestinationSender : IDisposable
{
    /// <summary>Buffer-full drops are logged at most this often per destination, with the count since the last log.</summary>
    private static readonly TimeSpan DropLogInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sealed bytes waiting that make a producer wake the idle sender loop (or the spool writer) at once: 1 MiB (the loop's
    /// largest write), at most an eighth of the buffer. Below it their own timers take the batches, within the batch (or
    /// sync) interval. Each wake costs the process more than the loop's work (thread-pool threads spin for more work after
    /// it): against 256 KiB, 1 MiB took 15 % less CPU per plaintext point for the whole process (pickle: the same), with
    /// the same wall time into a loopback sink (scripts/ab-interleaved.sh, docs/benchmarks.md).
    /// </summary>
    internal const long WakeBacklogBytes = 1024 << 10;

    /// <summary>The wake-up backlog is at most the buffer's capacity divided by this.</summary>
    private const long WakeBacklogBufferFraction = 8;

    private readonly ConnectionFactory _factory;
    private readonly SenderLoop _loop;
    private readonly SpoolCoordinator _spool;
    private bool _started;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    /// <param name="endpoint">The destination.</param>
    /// <param name="protocol">The wire protocol.</param>
    /// <param name="options">The client's options.</param>
    /// <param name="preparer">The client's checks and name cache, shared by its destinations.</param>
    /// <param name="log">The client's logger.</param>
    /// <param name="instruments">The client's meter instruments.</param>
    /// <param name="heldLock">The destination's spool lock, already taken (<c>ConnectAsync</c> waits for it without blocking a thread); <see langword="null"/>: taken here.</param>
    public DestinationSender(GraphiteDestination endpoint, IGraphiteProtocol protocol, GraphiteClientOptions options, PointPreparer preparer, ILogger log, GraphiteInstruments instruments, SpoolLock? heldLock = null)
    {
        _time = options.TimeProvider;
        _log = log;
        _preparer = preparer;
        _dropOldest = options.FullBufferPolicy == FullBufferPolicy.DropOldest;
        _waitForRoom = options.FullBufferPolicy == FullBufferPolicy.Wait;
        _fullBufferReason = $"the buffer is full ({options.FullBufferPolicy}, {options.BufferCapacityBytes} bytes)";
        Counters = new PipelineCounters(instruments, GraphiteInstruments.TagsFor(endpoint.Host, endpoint.Port));
        _factory = options.ConnectionFactory?.Invoke(endpoint)
            ?? new SocketConnectionFactory(endpoint.Host, endpoint.Port, options.Transport, options.ConnectTimeout, options.DeadPeerTimeout, options.TimeProvider, options.Tls, log);
        int segmentBytes = options.Transport == GraphiteTransport.Udp ? options.MaxDatagramBytes : options.BatchSizeBytes;
        long retainedBytes = options.ReplayEnabled && options.Transport == GraphiteTransport.Tcp ? options.ReplayWindowBytes : 0;
        Buffer = new SendBuffer(_sync, WireFormat.For(protocol), segmentBytes, options.BufferCapacityBytes, retainedBytes, options.TimeProvider);
        _wakeBacklogBytes = Math.Min(WakeBacklogBytes, options.BufferCapacityBytes / WakeBacklogBufferFraction);
        var connections = new ConnectionManager(_factory, new ReconnectBackoff(options.ReconnectInitialDelay, options.ReconnectMaxDelay, Random.Shared.NextDouble), options.TimeProvider, log);
        SegmentWriter writer = SegmentWriter.For(options.Transport, (points, ex) => GraphiteLog.DatagramFailed(log, _factory.Description, points, ex));
        _spool = SpoolCoordinator.None;
        if (options.SpoolDirectory is not null)
        {
            var spool = DestinationSpool.Open(options.SpoolDirectory, SpoolIdentity(endpoint, protocol, options), options.SpoolMaxBytes, options.SpoolFileBytes, out SpoolRecovery recovery, options.SpoolFileSystem,
                options.SpoolLockTimeout, holder => GraphiteLog.SpoolLockWaiting(log, SpoolDirectoryOf(endpoint, protocol, options), holder, (long)options.SpoolLockTimeout.TotalMilliseconds), heldLock);
            var spoolWriter = new SpoolWriter(Buffer, spool, Counters, options.SpoolSyncInterval, options.TimeProvider, log, _factory.Description, () =>
            {
                _loop!.SpaceFreed.Pulse(); // spooled segments may leave memory: room for waiting senders
                _loop.Wake();
            });
            // The writer wakes at least every sync interval by itself: a seal wakes it only for a backlog (every
            // batch when each one must be synced before it is sent).
            int wakeAfterSegments = options.SpoolSyncInterval <= TimeSpan.Zero ? 1 : (int)Math.Max(1, _wakeBacklogBytes / segmentBytes);
            Buffer.AttachSpool(spoolWriter.Wake, wakeAfterSegments, recovery);
            var disk = new DiskSpoolCoordinator(spool, spoolWriter, Buffer, Counters, log, _factory.Description);
            disk.Recovered(recovery);
            _spool = disk;
        }

        DeliveryTracker tracker = writer.TracksDelivery
            ? new LedgerDeliveryTracker(new DeliveryLedger(options.ReplayWindow, options.ReplayWindowBytes, options.ReplayEnabled, options.TimeProvider.TimestampFrequency), Counters, connections.Status)
            : new SentIsDeliveredTracker(Counters, connections.Status);
        _loop = new SenderLoop(Buffer, connections, writer, tracker, _spool, Counters, options, log);
        Status = connections.Status;
    }

    /// <summary>The spool directory of <paramref name="endpoint"/> under <see cref="GraphiteClientOptions.SpoolDirectory"/> (which must be set).</summary>
    public static string SpoolDirectoryOf(GraphiteDestination endpoint, IGraphiteProtocol protocol, GraphiteClientOptions options) =>
        SpoolDirectoryLayout.ForIdentity(options.SpoolDirectory!, SpoolIdentity(endpoint, protocol, options));

    /// <summary><c>host:port</c>, for logs and errors.</summary>
    public string Description => _factory.Description;

    public SendBuffer Buffer { get; }

    public PipelineCounters Counters { get; }

    /// <summary>Points accepted and not yet written (the buffer's count).</summary>
    public long BufferedPoints => Buffer.BufferedPoints;

    /// <summary>Bytes of sealed batches not yet written (the buffer's count).</summary>
    public long BufferedBytes => Buffer.BufferedBytes;

    /// <summary>The connection's state, kept by the loop.</summary>
    public ConnectionStatusRecorder Status { get; }

    /// <summary>Room freed in the buffer, or the connection went away.</summary>
    public AsyncSignal SpaceFreed => _loop.SpaceFreed;

    /// <summary>Connects before the loop starts (<c>GraphiteClient.ConnectAsync</c>).</summary>
    public ValueTask<GraphiteConnection> ConnectAsync(CancellationToken cancellationToken) => _factory.ConnectAsync(cancellationToken);

    /// <summary>The identity of <paramref name="endpoint"/>'s spool: what its records are for.</summary>
    public static GraphiteSpoolIdentity SpoolIdentity(GraphiteDestination endpoint, IGraphiteProtocol protocol, GraphiteClientOptions options) =>
        new(endpoint.Host, endpoint.Port, options.Transport, protocol is PickleProtocol ? GraphiteSpoolIdentity.Pickle : GraphiteSpoolIdentity.Plaintext, options.Tls is not null && options.Transport == GraphiteTransport.Tcp);

    /// <summary>Starts the sender loop (and the spool writer) with an open connection, or none (it connects in the background).</summary>
    public void Start(GraphiteConnection? connection)
    {
        _started = true;
        _loop.Start(connection);
    }

    /// <summary>Releases the spool of a sender that never started (the client could not be created).</summary>
    public void Dispose()
    {
        if (!_started)
        {
            _spool.Release();
        }
    }

    /// <summary>No more appends (the client closes): a producer from now on gets <see cref="ObjectDisposedException"/>.</summary>
    public void Complete() => Buffer.Complete();

    public Task FlushAsync(CancellationToken cancellationToken) => _loop.FlushAsync(cancellationToken);

    public Task WaitForDeliveryAsync(CancellationToken cancellationToken) => _loop.WaitForDeliveryAsync(cancellationToken);

    public Task StopAsync(TimeSpan drainTimeout) => _loop.StopAsync(drainTimeout);

    /// <summary>This destination's statistics; <paramref name="rejected"/> is the client-wide count of rejected points.</summary>
    public GraphiteClientStatistics Snapshot(long rejected) =>
        Counters.Snapshot(Buffer.BufferedPoints, Buffer.BufferedBytes, _loop.InFlightPoints) with
        {
            PointsRejected = rejected,
            Spool = _spool.Statistics(Counters),
        };
}
