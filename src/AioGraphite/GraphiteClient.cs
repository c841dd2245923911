using System.Text;
using AioGraphite.Diagnostics;
using AioGraphite.Naming;
using AioGraphite.Pipeline;
using AioGraphite.Protocols;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AioGraphite;

/// <summary>
/// An asynchronous Graphite client: the C# successor of Python's <c>aiographite.AIOGraphite</c>.
/// Sends hand points to a bounded in-memory buffer and return at once; one background loop batches them,
/// writes them to carbon, reconnects with back-off when carbon goes away and replays the most recently
/// written bytes after reconnecting. Thread-safe; dispose it (or call <see cref="CloseAsync"/>) to deliver
/// what is still buffered.
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
    private readonly Destination _destination;
    private readonly GraphiteInstruments _instruments;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly byte[] _prefix;
    private readonly byte[] _tagSuffix;
    private readonly IReadOnlyDictionary<string, string>? _defaultTags;
    private readonly bool _dropOldest;
    private int _closeState;
    private Task? _closeTask;

    private GraphiteClient(string host, int port, IGraphiteProtocol protocol, GraphiteClientOptions options)
    {
        Host = host;
        Port = port;
        Protocol = protocol;
        Options = options;
        _time = options.TimeProvider;
        _log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<GraphiteClient>();
        _dropOldest = options.FullBufferPolicy == FullBufferPolicy.DropOldest;
        _prefix = options.MetricPrefix is null ? [] : Encoding.UTF8.GetBytes(options.MetricPrefix.EndsWith('.') ? options.MetricPrefix : options.MetricPrefix + ".");
        _defaultTags = options.DefaultTags is { Count: > 0 } tags ? tags : null;
        _tagSuffix = _defaultTags is null ? [] : Encoding.UTF8.GetBytes(TaggedName.FormatTagSuffix(_defaultTags, nameof(options.DefaultTags)));
        WireFormat format = protocol is PickleProtocol ? PickleFormat.Instance : PlaintextFormat.Instance;
        Destination? destination = null;
        _instruments = new GraphiteInstruments(options.MeterFactory, host, port, () => destination?.Buffer.BufferedBytes ?? 0, () => destination?.Buffer.BufferedPoints ?? 0);
        destination = new Destination(host, port, format, options, _log, _instruments);
        _destination = destination;
    }

    /// <summary>The server's host name or address.</summary>
    public string Host { get; }

    /// <summary>The server's port.</summary>
    public int Port { get; }

    /// <summary>The wire protocol: <see cref="PlaintextProtocol"/> or <see cref="PickleProtocol"/>.</summary>
    public IGraphiteProtocol Protocol { get; }

    /// <summary>The options the client was created with.</summary>
    public GraphiteClientOptions Options { get; }

    /// <summary>What the client has done so far: points accepted, written, replayed, dropped, and what is buffered.</summary>
    public GraphiteClientStatistics Statistics => _destination.Statistics.Snapshot(_destination.Buffer);

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
    public static async Task<GraphiteClient> ConnectAsync(string host, int port = 2003, IGraphiteProtocol? protocol = null, GraphiteClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        var client = new GraphiteClient(host, port, CheckArguments(host, port, ref protocol, ref options), options!);
        if (client.Options.LazyConnect)
        {
            client._destination.Loop.Start(null);
            return client;
        }

        Transport.GraphiteConnection connection;
        try
        {
            connection = await client._destination.Connector.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            client._instruments.Dispose();
            throw;
        }

        client._destination.Loop.Start(connection);
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
        var client = new GraphiteClient(host, port, CheckArguments(host, port, ref protocol, ref options), options!);
        client._destination.Loop.Start(null);
        return client;
    }

    private static IGraphiteProtocol CheckArguments(string host, int port, ref IGraphiteProtocol? protocol, ref GraphiteClientOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
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
    public override string ToString() => $"GraphiteClient({_destination.Connector.Description}, {Protocol})";
}
