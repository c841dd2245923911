using System.Diagnostics.CodeAnalysis;

namespace AioGraphite.Extensions.Hosting;

/// <summary>
/// Settings of the <see cref="GraphiteClient"/> that <c>services.AddGraphite(...)</c> registers, bindable from
/// configuration (by default the <c>"Graphite"</c> section). Every client setting defaults to the value in
/// <see cref="GraphiteClientOptions.Default"/>; only <see cref="Host"/> is required. Checked when the host starts:
/// a bad value stops the start-up with an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>
/// naming the configuration key.
/// </summary>
/// <example>
/// <code language="json">
/// {
///   "Graphite": {
///     "Host": "carbon.example.com",
///     "Port": 2003,
///     "Protocol": "plaintext",
///     "MetricPrefix": "myapp",
///     "DefaultTags": { "env": "prod" },
///     "BatchInterval": "00:00:00.250"
///   }
/// }
/// </code>
/// </example>
public sealed class GraphiteOptions
{
    /// <summary>The configuration section the settings are usually bound from: <c>Graphite</c>.</summary>
    public const string DefaultSectionName = "Graphite";

    /// <summary>carbon's host name or IP address. Required.</summary>
    public string? Host { get; set; }

    /// <summary>carbon's port. Default: 2003 for <c>plaintext</c>, 2004 for <c>pickle</c>.</summary>
    public int? Port { get; set; }

    /// <summary>The wire protocol: <c>plaintext</c> (default) or <c>pickle</c>, case-insensitive.</summary>
    public string Protocol { get; set; } = "plaintext";

    /// <summary><see cref="GraphiteClientOptions.Transport"/>: <c>Tcp</c> (default) or <c>Udp</c> (plaintext only).</summary>
    public GraphiteTransport Transport { get; set; } = GraphiteClientOptions.Default.Transport;

    /// <summary><see cref="GraphiteClientOptions.ConnectTimeout"/>. Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = GraphiteClientOptions.Default.ConnectTimeout;

    /// <summary><see cref="GraphiteClientOptions.BufferCapacityBytes"/>. Default 64 MiB.</summary>
    public long BufferCapacityBytes { get; set; } = GraphiteClientOptions.Default.BufferCapacityBytes;

    /// <summary><see cref="GraphiteClientOptions.FullBufferPolicy"/>: <c>DropOldest</c> (default), <c>DropNewest</c> or <c>Wait</c>.</summary>
    public FullBufferPolicy FullBufferPolicy { get; set; } = GraphiteClientOptions.Default.FullBufferPolicy;

    /// <summary><see cref="GraphiteClientOptions.FullBufferWaitTimeout"/>. Default 5 seconds.</summary>
    public TimeSpan FullBufferWaitTimeout { get; set; } = GraphiteClientOptions.Default.FullBufferWaitTimeout;

    /// <summary><see cref="GraphiteClientOptions.BatchSizeBytes"/>. Default 64 KiB.</summary>
    public int BatchSizeBytes { get; set; } = GraphiteClientOptions.Default.BatchSizeBytes;

    /// <summary><see cref="GraphiteClientOptions.BatchInterval"/>. Default 100 ms.</summary>
    public TimeSpan BatchInterval { get; set; } = GraphiteClientOptions.Default.BatchInterval;

    /// <summary><see cref="GraphiteClientOptions.MaxDatagramBytes"/>. Default 1432 bytes.</summary>
    public int MaxDatagramBytes { get; set; } = GraphiteClientOptions.Default.MaxDatagramBytes;

    /// <summary><see cref="GraphiteClientOptions.ReconnectInitialDelay"/>. Default 100 ms.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = GraphiteClientOptions.Default.ReconnectInitialDelay;

    /// <summary><see cref="GraphiteClientOptions.ReconnectMaxDelay"/>. Default 10 seconds.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = GraphiteClientOptions.Default.ReconnectMaxDelay;

    /// <summary><see cref="GraphiteClientOptions.ReplayEnabled"/>. Default <see langword="true"/>.</summary>
    public bool ReplayEnabled { get; set; } = GraphiteClientOptions.Default.ReplayEnabled;

    /// <summary><see cref="GraphiteClientOptions.ReplayWindow"/>. Default 1 minute.</summary>
    public TimeSpan ReplayWindow { get; set; } = GraphiteClientOptions.Default.ReplayWindow;

    /// <summary><see cref="GraphiteClientOptions.ReplayWindowBytes"/>. Default 64 MiB.</summary>
    public long ReplayWindowBytes { get; set; } = GraphiteClientOptions.Default.ReplayWindowBytes;

    /// <summary><see cref="GraphiteClientOptions.DeadPeerTimeout"/>: how long carbon may leave sent data unacknowledged. Default 20 seconds.</summary>
    public TimeSpan DeadPeerTimeout { get; set; } = GraphiteClientOptions.Default.DeadPeerTimeout;

    /// <summary>
    /// <see cref="GraphiteClientOptions.DrainTimeout"/>: how long delivering what is buffered may take at shutdown
    /// (written, and consumed by carbon). Default 10 seconds (the host's own shutdown timeout still applies).
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = GraphiteClientOptions.Default.DrainTimeout;

    /// <summary><see cref="GraphiteClientOptions.MetricPrefix"/>, e.g. <c>servers.web1</c>. Default none.</summary>
    public string? MetricPrefix { get; set; }

    /// <summary><see cref="GraphiteClientOptions.DefaultTags"/>: tags added to every point. Default none (empty).</summary>
    public IDictionary<string, string> DefaultTags { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// TLS to a terminator in front of carbon (<c>Graphite:Tls:*</c>): off unless <see cref="GraphiteTlsSettings.Enabled"/>.
    /// See <see cref="GraphiteTlsSettings"/> and <see cref="GraphiteClientOptions.Tls"/>.
    /// </summary>
    public GraphiteTlsSettings Tls { get; } = new();

    /// <summary>
    /// A disk spool (<c>Graphite:Spool:*</c>): off unless <see cref="GraphiteSpoolSettings.Directory"/> is set.
    /// See <see cref="GraphiteSpoolSettings"/> and <see cref="GraphiteClientOptions.SpoolDirectory"/>.
    /// </summary>
    public GraphiteSpoolSettings Spool { get; } = new();

    /// <summary>
    /// The port the client uses: <see cref="Port"/>, or the default of the protocol and transport
    /// (<see cref="GraphiteDefaultPorts.For"/>: 2003 plaintext and UDP, 2004 pickle).
    /// </summary>
    /// <returns>The port.</returns>
    public int GetEffectivePort() => Port ?? GraphiteDefaultPorts.For(ParseProtocol(), Transport);

    /// <summary>The protocol named by <see cref="Protocol"/>.</summary>
    /// <returns>A new <see cref="PlaintextProtocol"/> or <see cref="PickleProtocol"/>.</returns>
    /// <exception cref="ArgumentException"><see cref="Protocol"/> is neither <c>plaintext</c> nor <c>pickle</c>.</exception>
    public IGraphiteProtocol CreateProtocol() =>
        ParseProtocol() ?? throw new ArgumentException($"Protocol '{Protocol}' is not supported: use 'plaintext' or 'pickle'.", nameof(Protocol));

    /// <summary>
    /// The client settings these options describe. <see cref="GraphiteClientOptions.LazyConnect"/> is always
    /// <see langword="true"/> (an application starts even while carbon is down); logger factory, meter factory and
    /// clock are left at their defaults (the registered client gets them from dependency injection).
    /// </summary>
    /// <returns>New client options; not validated (call <see cref="GraphiteClientOptions.Validate"/>).</returns>
    public GraphiteClientOptions ToClientOptions() => new()
    {
        Transport = Transport,
        ConnectTimeout = ConnectTimeout,
        LazyConnect = true,
        BufferCapacityBytes = BufferCapacityBytes,
        FullBufferPolicy = FullBufferPolicy,
        FullBufferWaitTimeout = FullBufferWaitTimeout,
        BatchSizeBytes = BatchSizeBytes,
        BatchInterval = BatchInterval,
        MaxDatagramBytes = MaxDatagramBytes,
        ReconnectInitialDelay = ReconnectInitialDelay,
        ReconnectMaxDelay = ReconnectMaxDelay,
        ReplayEnabled = ReplayEnabled,
        ReplayWindow = ReplayWindow,
        ReplayWindowBytes = ReplayWindowBytes,
        DeadPeerTimeout = DeadPeerTimeout,
        DrainTimeout = DrainTimeout,
        MetricPrefix = string.IsNullOrEmpty(MetricPrefix) ? null : MetricPrefix,
        DefaultTags = DefaultTags.Count == 0 ? null : new Dictionary<string, string>(DefaultTags, StringComparer.Ordinal),
        Tls = Tls.ToTlsOptions(),
        SpoolDirectory = string.IsNullOrEmpty(Spool.Directory) ? null : Spool.Directory,
        SpoolMaxBytes = Spool.MaxBytes,
        SpoolFileBytes = Spool.FileBytes,
        SpoolSyncInterval = Spool.SyncInterval,
        SpoolLockTimeout = Spool.LockTimeout,
    };

    internal static bool IsPlaintext([NotNullWhen(true)] string? protocol) => string.Equals(protocol, "plaintext", StringComparison.OrdinalIgnoreCase);

    internal static bool IsPickle([NotNullWhen(true)] string? protocol) => string.Equals(protocol, "pickle", StringComparison.OrdinalIgnoreCase);

    private IGraphiteProtocol? ParseProtocol() =>
        IsPickle(Protocol) ? new PickleProtocol() : IsPlaintext(Protocol) ? new PlaintextProtocol() : null;
}
