using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using AioGraphite.Cluster;
using AioGraphite.Diagnostics;
using AioGraphite.Naming;
using AioGraphite.Pipeline;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AioGraphite;

/// <summary>
/// An asynchronous Graphite client: the C# successor of Python's <c>aiographite.AIOGraphite</c>.
/// Sends hand points to a bounded in-memory buffer and return at once; one background loop per destination
/// batches them, writes them to carbon, follows what carbon has consumed, reconnects with back-off when carbon goes
/// away and replays what carbon may have lost. With several destinations, each metric goes to the cache(s)
/// carbon's consistent hash picks. Thread-safe; dispose it (or call <see cref="CloseAsync()"/>) to deliver what
/// is still buffered.
/// </summary>
/// <example>
/// <code>
/// await using var graphite = await GraphiteClient.ConnectAsync("127.0.0.1", 2003, new PlaintextProtocol());
/// await graphite.SendAsync("app.requests", 42);
/// string metric = graphite.CleanAndJoinMetricParts(["sproc performance", "velo@zillow.com"]);
/// await graphite.SendAsync(metric, 1.5, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
/// </code>
/// </example>
public sealed partial class GraphiteClient : IAsyncDisposable
{
    private readonly DestinationSender[] _destinations;
    private readonly PipelineCounters _edge;
    private readonly SendCoordinator _sendCoordinator;
    private readonly GraphiteInstruments _instruments;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly GraphiteDatapointValidator _rules;
    private readonly PointPreparer _preparer;
    private int _closeState;

    private GraphiteClient(IReadOnlyList<GraphiteDestination> destinations, IGraphiteProtocol protocol, GraphiteClientOptions options, SpoolLock?[]? heldLocks = null)
    {
        Destinations = destinations;
        Protocol = protocol;
        Options = options;
        _time = options.TimeProvider;
        _log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<GraphiteClient>();
        _rules = new GraphiteDatapointValidator(options);
        _preparer = new PointPreparer(_rules, WireFormat.For(protocol));
        _instruments = new GraphiteInstruments(
            options.MeterFactory,
            () => Gauge(d => d.BufferedBytes),
            () => Gauge(d => d.BufferedPoints),
            () => Gauge(d => d.Snapshot(0).InFlightPoints));
        _destinations = CreateSenders(destinations, protocol, options, heldLocks);
        _edge = new PipelineCounters(_instruments, _destinations[0].Counters.Tags);
        if (options.SpoolDirectory is not null)
        {
            _instruments.ObserveGauge("aiographite.spool.bytes", "By", "Bytes of the disk spool's record files.", () => Gauge(d => d.Snapshot(0).Spool.Bytes));
            _instruments.ObserveGauge("aiographite.spool.records", "{record}", "Records in the disk spool's files.", () => Gauge(d => d.Snapshot(0).Spool.Records));
            _instruments.ObserveGauge("aiographite.spool.files", "{file}", "Record files of the disk spool.", () => Gauge(d => d.Snapshot(0).Spool.Files));
            _instruments.ObserveGauge("aiographite.spool.quarantined_bytes", "By", "Bytes of the copies of damaged spool files kept for an operator (.corrupt); they count against SpoolMaxBytes.", () => Gauge(d => d.Snapshot(0).Spool.QuarantinedBytes));
            foreach (GraphiteSpoolDestinationReport orphan in SpoolOrphans.Find(options.SpoolDirectory, destinations.Select(d => SpoolDirectoryLayout.ForIdentity(options.SpoolDirectory, DestinationSender.SpoolIdentity(d, protocol, options)))))
            {
                string oldest = orphan.OldestTimestamp is { } t ? t.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "unknown";
                string identity = orphan.Identity is null ? "an unknown destination" : orphan.IdentityInferred ? $"{orphan.Identity} (from its name)" : orphan.Identity.ToString();
                GraphiteLog.SpoolOrphaned(_log, orphan.Directory, orphan.Points, orphan.Bytes, oldest, identity);
            }
        }

        ShardedProducer? sharded = null;
        if (destinations.Count > 1)
        {
            sharded = new ShardedProducer(new MetricRouter(destinations, options.ReplicationFactor, options.DiverseReplicas, _rules.PrefixText, _rules.TagSuffixText, options.Hashing), _destinations, _preparer, _edge);
        }

        _sendCoordinator = new SendCoordinator(_destinations, sharded, _edge, _time, options.FullBufferWaitTimeout);
    }

    /// <summary>The server's host name or address (the first destination's, in a cluster).</summary>
    public string Host => Destinations[0].Host;

    /// <summary>The server's port (the first destination's, in a cluster).</summary>
    public int Port => Destinations[0].Port;

    /// <summary>Every destination, in the order given (one unless the client shards over a cluster).</summary>
    public IReadOnlyList<GraphiteDestination> Destinations { get; }

    /// <summary>The wire protocol: <see cref="PlaintextProtocol"/> or <see cref="PickleProtocol"/>.</summary>
    public IGraphiteProtocol Protocol { get; }

    /// <summary>The options the client was created with.</summary>
    public GraphiteClientOptions Options { get; }

    /// <summary>What the client has done so far, summed over its destinations.</summary>
    public GraphiteClientStatistics Statistics
    {
        get
        {
            GraphiteClientStatistics total = _destinations[0].Snapshot(_edge.RejectedPoints);
            for (int i = 1; i < _destinations.Length; i++)
            {
                total = total.Plus(_destinations[i].Snapshot(0));
            }

            GraphiteClientStatistics edge = _edge.Snapshot(0, 0, 0); // the sharded path's name lookups
            return total with { NameCacheHits = total.NameCacheHits + edge.NameCacheHits, NameCacheMisses = total.NameCacheMisses + edge.NameCacheMisses };
        }
    }

    /// <summary>What the client has done for one destination (same order as <see cref="Destinations"/>); <see cref="GraphiteClientStatistics.PointsRejected"/> is client-wide.</summary>
    /// <param name="index">Index into <see cref="Destinations"/>.</param>
    /// <returns>The statistics of that destination.</returns>
    public GraphiteClientStatistics GetDestinationStatistics(int index) => _destinations[index].Snapshot(_edge.RejectedPoints);

    /// <summary>
    /// The state of the connection to one destination (same order as <see cref="Destinations"/>): connected or since
    /// when not, when carbon last consumed points, whether points of a lost connection wait to be written again. For
    /// health checks; cheap, and safe from any thread.
    /// </summary>
    /// <param name="index">Index into <see cref="Destinations"/>.</param>
    /// <returns>The status of that destination's connection.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not an index into <see cref="Destinations"/>.</exception>
    public GraphiteConnectionStatus GetConnectionStatus(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _destinations.Length);
        return _destinations[index].Status.Read();
    }

    /// <summary>
    /// Creates a client and connects it (unless <see cref="GraphiteClientOptions.LazyConnect"/> is set).
    /// </summary>
    /// <param name="host">carbon's host name or IP address.</param>
    /// <param name="port">carbon's port: 2003 for plaintext and UDP, 2004 for pickle.</param>
    /// <param name="protocol"><see cref="PlaintextProtocol"/> (default) or <see cref="PickleProtocol"/>.</param>
    /// <param name="options">Settings; <see cref="GraphiteClientOptions.Default"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="ArgumentException">An argument is invalid, or the protocol is not one AioGraphite supports.</exception>
    /// <exception cref="GraphiteException">The connection failed; the message names host, port and the socket error.</exception>
    public static Task<GraphiteClient> ConnectAsync(string host, int port = 2003, IGraphiteProtocol? protocol = null, GraphiteClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        return ConnectAsync([new GraphiteDestination(host, port)], protocol, options, cancellationToken);
    }

    /// <summary>
    /// Creates a client that shards metrics over several carbon destinations with carbon's consistent hash (the
    /// placement of carbon-relay's consistent-hashing mode, or of carbon-c-relay's <c>carbon_ch</c>: see
    /// <see cref="GraphiteClientOptions.Hashing"/>), each destination with its own connection, buffer,
    /// reconnect and replay; and connects to all of them unless <see cref="GraphiteClientOptions.LazyConnect"/> is set.
    /// </summary>
    /// <param name="destinations">The destinations, e.g. <c>GraphiteDestination.Parse("127.0.0.1:2004=a")</c>; order matters to the ring as in carbon.</param>
    /// <param name="protocol"><see cref="PlaintextProtocol"/> (default) or <see cref="PickleProtocol"/>.</param>
    /// <param name="options">Settings, including <see cref="GraphiteClientOptions.ReplicationFactor"/>.</param>
    /// <param name="cancellationToken">Cancels the connection attempts.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="ArgumentException">No destination, a duplicate, or an invalid argument.</exception>
    /// <exception cref="GraphiteException">A connection failed; the message names its host, port and the socket error.</exception>
    public static async Task<GraphiteClient> ConnectAsync(IEnumerable<GraphiteDestination> destinations, IGraphiteProtocol? protocol = null, GraphiteClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        List<GraphiteDestination> checkedDestinations = CheckDestinations(destinations);
        IGraphiteProtocol checkedProtocol = CheckArguments(ref protocol, ref options);
        SpoolLock?[]? locks = await LockSpoolsAsync(checkedDestinations, checkedProtocol, options!, cancellationToken).ConfigureAwait(false);
        var client = new GraphiteClient(checkedDestinations, checkedProtocol, options!, locks);
        if (client.Options.LazyConnect)
        {
            client.StartLoops(null);
            return client;
        }

        var connections = new Transport.GraphiteConnection?[client._destinations.Length];
        try
        {
            for (int i = 0; i < connections.Length; i++)
            {
                connections[i] = await client._destinations[i].ConnectAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (Transport.GraphiteConnection? c in connections)
            {
                if (c is not null)
                {
                    await c.DisposeAsync().ConfigureAwait(false);
                }
            }

            client.Abandon();
            throw;
        }

        client.StartLoops(connections);
        return client;
    }

    /// <summary>
    /// Creates a client that connects in the background (as with <see cref="GraphiteClientOptions.LazyConnect"/>):
    /// points are buffered until carbon is reachable. For dependency injection and services that start before carbon.
    /// </summary>
    /// <param name="host">carbon's host name or IP address.</param>
    /// <param name="port">carbon's port: 2003 for plaintext and UDP, 2004 for pickle.</param>
    /// <param name="protocol"><see cref="PlaintextProtocol"/> (default) or <see cref="PickleProtocol"/>.</param>
    /// <param name="options">Settings; <see cref="GraphiteClientOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>The client, already accepting points.</returns>
    /// <exception cref="ArgumentException">An argument is invalid, or the protocol is not one AioGraphite supports.</exception>
    public static GraphiteClient Create(string host, int port = 2003, IGraphiteProtocol? protocol = null, GraphiteClientOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        return Create([new GraphiteDestination(host, port)], protocol, options);
    }

    /// <summary>
    /// Creates a client that shards over several destinations (see <see cref="ConnectAsync(IEnumerable{GraphiteDestination}, IGraphiteProtocol?, GraphiteClientOptions?, CancellationToken)"/>)
    /// and connects in the background.
    /// </summary>
    /// <param name="destinations">The destinations.</param>
    /// <param name="protocol"><see cref="PlaintextProtocol"/> (default) or <see cref="PickleProtocol"/>.</param>
    /// <param name="options">Settings.</param>
    /// <returns>The client, already accepting points.</returns>
    /// <exception cref="ArgumentException">No destination, a duplicate, or an invalid argument.</exception>
    public static GraphiteClient Create(IEnumerable<GraphiteDestination> destinations, IGraphiteProtocol? protocol = null, GraphiteClientOptions? options = null)
    {
        var client = new GraphiteClient(CheckDestinations(destinations), CheckArguments(ref protocol, ref options), options!);
        client.StartLoops(null);
        return client;
    }

    private void StartLoops(Transport.GraphiteConnection?[]? connections)
    {
        for (int i = 0; i < _destinations.Length; i++)
        {
            _destinations[i].Start(connections?[i]);
        }
    }

    /// <summary>
    /// Takes the spool lock of every destination (when there is a spool), waiting for a busy one without blocking a
    /// thread (up to <see cref="GraphiteClientOptions.SpoolLockTimeout"/> each); on failure the ones taken are released.
    /// </summary>
    private static async Task<SpoolLock?[]?> LockSpoolsAsync(List<GraphiteDestination> destinations, IGraphiteProtocol protocol, GraphiteClientOptions options, CancellationToken cancellationToken)
    {
        if (options.SpoolDirectory is null)
        {
            return null;
        }

        ILogger log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<GraphiteClient>();
        var locks = new SpoolLock?[destinations.Count];
        try
        {
            for (int i = 0; i < locks.Length; i++)
            {
                string directory = DestinationSender.SpoolDirectoryOf(destinations[i], protocol, options);
                locks[i] = await SpoolLock.AcquireAsync(options.SpoolDirectory, directory, options.SpoolLockTimeout, holder => GraphiteLog.SpoolLockWaiting(log, directory, holder, (long)options.SpoolLockTimeout.TotalMilliseconds), cancellationToken).ConfigureAwait(false);
            }

            return locks;
        }
        catch
        {
            Array.ForEach(locks, l => l?.Dispose());
            throw;
        }
    }

    /// <summary>One sender per destination; when one cannot be created (its spool), the others' spools (and the locks not yet handed over) are released.</summary>
    private DestinationSender[] CreateSenders(IReadOnlyList<GraphiteDestination> destinations, IGraphiteProtocol protocol, GraphiteClientOptions options, SpoolLock?[]? heldLocks)
    {
        var senders = new List<DestinationSender>(destinations.Count);
        try
        {
            foreach (GraphiteDestination d in destinations)
            {
                senders.Add(new DestinationSender(d, protocol, options, _preparer, _log, _instruments, heldLocks?[senders.Count]));
            }

            return [.. senders];
        }
        catch
        {
            senders.ForEach(s => s.Dispose());
            for (int i = senders.Count; i < (heldLocks?.Length ?? 0); i++)
            {
                heldLocks![i]?.Dispose(); // idempotent: the failed sender's spool may have released its own already
            }

            _instruments.Dispose();
            throw;
        }
    }

    /// <summary>The client could not connect: releases what it holds (meter, spools).</summary>
    private void Abandon()
    {
        foreach (DestinationSender d in _destinations)
        {
            d.Dispose();
        }

        _instruments.Dispose();
    }

    private IEnumerable<Measurement<long>> Gauge(Func<DestinationSender, long> read)
    {
        foreach (DestinationSender d in _destinations)
        {
            yield return new Measurement<long>(read(d), d.Counters.Tags);
        }
    }

    private static List<GraphiteDestination> CheckDestinations(IEnumerable<GraphiteDestination> destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        List<GraphiteDestination> list = [.. destinations];
        if (list.Count == 0)
        {
            throw new ArgumentException("At least one destination is needed.", nameof(destinations));
        }

        var seen = new HashSet<GraphiteDestination>();
        foreach (GraphiteDestination d in list)
        {
            if (d is null || string.IsNullOrWhiteSpace(d.Host) || d.Port is < 1 or > IPEndPoint.MaxPort)
            {
                throw new ArgumentException($"Invalid destination '{d}': it needs a host and a port between 1 and 65535.", nameof(destinations));
            }

            if (!seen.Add(d))
            {
                throw new ArgumentException($"Destination '{d}' is given more than once.", nameof(destinations));
            }
        }

        return list;
    }

    private static IGraphiteProtocol CheckArguments(ref IGraphiteProtocol? protocol, ref GraphiteClientOptions? options)
    {
        protocol ??= new PlaintextProtocol();
        options ??= GraphiteClientOptions.Default;
        options.Validate();
        if (protocol is not (PlaintextProtocol or PickleProtocol))
        {
            throw new ArgumentException($"Unsupported protocol {protocol.GetType().FullName}: GraphiteClient sends with PlaintextProtocol or PickleProtocol only.", nameof(protocol));
        }

        if (options.Transport == GraphiteTransport.Udp && protocol is PickleProtocol)
        {
            throw new ArgumentException("Unsupported protocol for UDP: carbon's UDP listener reads plaintext lines only; use PlaintextProtocol with GraphiteTransport.Udp.", nameof(protocol));
        }

        return protocol;
    }

    /// <summary>
    /// Encodes every part with <see cref="GraphiteEncoder.Encode"/> and joins them with <c>.</c>: any text becomes
    /// a valid metric path (same as <see cref="GraphiteEncoder.CleanAndJoinMetricParts"/>).
    /// </summary>
    /// <param name="metricParts">The parts of the path, any text.</param>
    /// <returns>A valid metric name.</returns>
#pragma warning disable CA1822 // An instance method, as in the Python original (graphite_conn.clean_and_join_metric_parts).
    public string CleanAndJoinMetricParts(IEnumerable<string> metricParts) => GraphiteEncoder.CleanAndJoinMetricParts(metricParts);
#pragma warning restore CA1822

    /// <inheritdoc/>
    public override string ToString() => $"GraphiteClient({string.Join(", ", Destinations)}, {Protocol})";
}
