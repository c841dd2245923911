using System.Diagnostics.Metrics;
using AioGraphite.Naming;
using AioGraphite.Transport;
using Microsoft.Extensions.Logging;

namespace AioGraphite;

/// <summary>
/// Settings of a <see cref="GraphiteClient"/>. Every property has a sensible default, written in its
/// documentation; <see cref="Default"/> holds them all. Values are checked once, when the client is created.
/// </summary>
public sealed record GraphiteClientOptions
{
    /// <summary>Default of <see cref="ReplayWindow"/>: one minute.</summary>
    internal static readonly TimeSpan DefaultReplayWindow = TimeSpan.FromMinutes(1);

    /// <summary>Default of <see cref="ReplayWindowBytes"/>: 64 MiB.</summary>
    internal const long DefaultReplayWindowBytes = 64L * 1024 * 1024;

    /// <summary>Default of <see cref="BatchSizeBytes"/>: 64 KiB.</summary>
    internal const int DefaultBatchSizeBytes = 64 * 1024;

    /// <summary>Smallest <see cref="BatchSizeBytes"/>: 4 KiB.</summary>
    internal const int MinBatchSizeBytes = 4096;

    /// <summary>Largest <see cref="BatchSizeBytes"/>: 1 MiB (one segment, under carbon's pickle frame limit once framed).</summary>
    internal const int MaxBatchSizeBytes = 1 << 20;

    /// <summary>Smallest <see cref="MaxDatagramBytes"/>.</summary>
    internal const int MinDatagramBytes = 64;

    /// <summary>Largest <see cref="MaxDatagramBytes"/>: a jumbo frame's payload, about.</summary>
    internal const int LargestDatagramBytes = 8192;

    /// <summary>Shortest <see cref="DeadPeerTimeout"/> (TCP_USER_TIMEOUT and keepalive work in whole seconds).</summary>
    internal static readonly TimeSpan MinDeadPeerTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Default of <see cref="DeadPeerTimeout"/>: 20 seconds.</summary>
    internal static readonly TimeSpan DefaultDeadPeerTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Default of <see cref="SpoolMaxBytes"/>: 4 GiB.</summary>
    internal const long DefaultSpoolMaxBytes = 4L << 30;

    /// <summary>Default of <see cref="SpoolFileBytes"/>: 64 MiB.</summary>
    internal const long DefaultSpoolFileBytes = 64L << 20;

    /// <summary>Default of <see cref="SpoolSyncInterval"/>: 100 ms.</summary>
    internal static readonly TimeSpan DefaultSpoolSyncInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Default of <see cref="SpoolLockTimeout"/>: 15 seconds.</summary>
    internal static readonly TimeSpan DefaultSpoolLockTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Smallest <see cref="SpoolMaxBytes"/>: 1 MiB.</summary>
    internal const long MinSpoolMaxBytes = 1L << 20;

    /// <summary>Smallest <see cref="SpoolFileBytes"/>: 64 KiB.</summary>
    internal const long MinSpoolFileBytes = 64L << 10;

    /// <summary>The defaults.</summary>
    public static GraphiteClientOptions Default { get; } = new();

    /// <summary>TCP (default) or UDP. UDP works with <see cref="PlaintextProtocol"/> only.</summary>
    public GraphiteTransport Transport { get; init; } = GraphiteTransport.Tcp;

    /// <summary>How long one connection attempt may take. Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// When <see langword="false"/> (default) <c>GraphiteClient.ConnectAsync</c> connects before it returns
    /// and throws <see cref="GraphiteException"/> when it cannot. When <see langword="true"/> it returns at once and
    /// the background sender connects (and keeps retrying) while points are buffered: a client may be created
    /// while carbon is still down.
    /// </summary>
    public bool LazyConnect { get; init; }

    /// <summary>Most bytes of formatted points held while waiting to be written. Default 64 MiB (about 1.5 million typical points).</summary>
    public long BufferCapacityBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// What to do with a point that finds the buffer full while carbon cannot take it. Default
    /// <see cref="AioGraphite.FullBufferPolicy.DropOldest"/>. While carbon is connected, <c>SendAsync</c> and
    /// <c>SendMultipleAsync</c> wait for room instead (back-pressure: a reachable carbon never causes drops), as long as
    /// room keeps being freed within <see cref="FullBufferWaitTimeout"/>; <c>TrySend</c> never waits.
    /// </summary>
    public FullBufferPolicy FullBufferPolicy { get; init; } = FullBufferPolicy.DropOldest;

    /// <summary>
    /// How long an awaiting send waits for room without any being freed before the policy applies: with
    /// <see cref="AioGraphite.FullBufferPolicy.Wait"/> always, with the drop policies while carbon is connected (a
    /// frozen carbon frees nothing). Default 5 seconds.
    /// </summary>
    public TimeSpan FullBufferWaitTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Size of one batch (TCP): the sender writes a batch once it is full. Default 64 KiB; between 4 KiB and 1 MiB.</summary>
    public int BatchSizeBytes { get; init; } = DefaultBatchSizeBytes;

    /// <summary>
    /// Longest time a point waits for its batch to fill before the batch is written anyway. Default 100 ms.
    /// <see cref="GraphiteClient.FlushAsync"/> writes at once.
    /// </summary>
    public TimeSpan BatchInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>With <see cref="GraphiteTransport.Udp"/>, the largest datagram. Default 1432 bytes (fits a 1500-byte MTU); at most 8192 (carbon cuts longer datagrams).</summary>
    public int MaxDatagramBytes { get; init; } = 1432;

    /// <summary>First delay before reconnecting. Doubles after each failure up to <see cref="ReconnectMaxDelay"/>, with jitter. Default 100 ms.</summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest delay between reconnection attempts. Default 10 seconds.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether what carbon may have lost is written again after a lost connection: every point it had not consumed, and
    /// what it consumed less than <see cref="ReplayWindow"/> of its proven running time before (carbon-cache keeps points in
    /// memory before writing them to disk, and a carbon that dies loses them). Default <see langword="true"/>: a write to
    /// carbon-cache is idempotent per (metric, timestamp), so replay turns "lost" into "written twice with the same
    /// value". Turn it off when sending to an aggregating relay, which would count replayed points twice; points carbon
    /// had not consumed when a connection is lost are then given up (counted in <see cref="GraphiteClientStatistics.PointsUndelivered"/>).
    /// Never used with UDP.
    /// </summary>
    public bool ReplayEnabled { get; init; } = true;

    /// <summary>
    /// How long points stay replayable after carbon consumed them. Default 1 minute. It must cover how long carbon holds
    /// points in memory: carbon-cache writes at most <c>MAX_UPDATES_PER_SECOND</c> series per second (500 by default),
    /// so its cache holds about <c>series ÷ MAX_UPDATES_PER_SECOND</c> seconds of points (20,000 series: 40 s). The age
    /// counts only time in which carbon is proven running (a later consumption, or its orderly close after the client's
    /// end of stream), never the wall clock: a frozen carbon, or an idle client that sends nothing, ages nothing, and an
    /// outage never shortens what is replayed after it. A close without carbon's final confirmation keeps what is still in
    /// the window (in the spool, or counted in <see cref="GraphiteClientStatistics.PointsNotReplayed"/>).
    /// </summary>
    public TimeSpan ReplayWindow { get; init; } = DefaultReplayWindow;

    /// <summary>
    /// Most bytes kept for replay after carbon consumed them (the window is bounded by this or by <see cref="ReplayWindow"/>,
    /// whichever comes first). Default 64 MiB: a minute of about 35,000 points per second. Points carbon has not consumed
    /// yet are never dropped from it; they count against <see cref="BufferCapacityBytes"/>.
    /// </summary>
    public long ReplayWindowBytes { get; init; } = DefaultReplayWindowBytes;

    /// <summary>
    /// How long a connection may go without carbon acknowledging what was sent (a network partition, a host gone), or
    /// without carbon closing after the client's end of stream, before it is abandoned, reconnected and replayed. Sets
    /// <c>TCP_USER_TIMEOUT</c> (Linux) and TCP keepalive (first probe after a third of it). Default 20 seconds; at least 1 second.
    /// </summary>
    public TimeSpan DeadPeerTimeout { get; init; } = DefaultDeadPeerTimeout;

    /// <summary>
    /// A directory for a disk spool, so that points survive the application's own crash or restart and outages longer
    /// than memory holds. Default <see langword="null"/>: memory only. Every accepted point is appended to the spool (in a
    /// sub-directory per destination, owner-only permissions) and synced within <see cref="SpoolSyncInterval"/>; a record
    /// is deleted only once carbon consumed it and the <see cref="ReplayWindow"/> has passed. A client opened on a spool
    /// sends what an earlier process left first. One process per spool: a second one waits up to
    /// <see cref="SpoolLockTimeout"/> for the first to close, then gets a <see cref="GraphiteException"/> naming the
    /// directory and the holder. An existing directory owned by another user or writable by group or others is refused
    /// (a <see cref="GraphiteException"/> saying how to fix it), and no spool file is opened through a symbolic link. When the disk fails (full, read-only) the client logs it, carries on in memory
    /// under <see cref="FullBufferPolicy"/>, and returns to the spool when it works again.
    /// </summary>
    public string? SpoolDirectory { get; init; }

    /// <summary>Most bytes the spool may hold on disk (per destination); beyond it the client carries on in memory. Default 4 GiB; at least 1 MiB.</summary>
    public long SpoolMaxBytes { get; init; } = DefaultSpoolMaxBytes;

    /// <summary>Size at which a spool file is closed and a new one started (files are deleted whole). Default 64 MiB; at least 64 KiB.</summary>
    public long SpoolFileBytes { get; init; } = DefaultSpoolFileBytes;

    /// <summary>
    /// How often the spool is synced to disk (fsync): a point is durable at most this long after it was accepted (a crash
    /// loses at most this much). Default 100 ms. <see cref="TimeSpan.Zero"/> syncs every batch before it is sent (slower).
    /// </summary>
    public TimeSpan SpoolSyncInterval { get; init; } = DefaultSpoolSyncInterval;

    /// <summary>
    /// How long <see cref="GraphiteClient.Create(string, int, IGraphiteProtocol?, GraphiteClientOptions?)"/> and
    /// <see cref="GraphiteClient.ConnectAsync(string, int, IGraphiteProtocol?, GraphiteClientOptions?, CancellationToken)"/>
    /// wait for a spool that another process holds (an overlapping run of the same job, or the previous instance of a
    /// service still closing) before failing with a <see cref="GraphiteException"/> naming the holder. The lock is tried
    /// every 50 ms; <c>Create</c> blocks its thread meanwhile, <c>ConnectAsync</c> waits without blocking one. Default
    /// 15 seconds: longer than a previous instance's close with the default <see cref="DrainTimeout"/> (10 s, and at most
    /// 2 s more for a hung disk), short enough that a start-up on a spool held for good fails visibly.
    /// <see cref="TimeSpan.Zero"/> fails at once. Used only with a <see cref="SpoolDirectory"/>.
    /// </summary>
    public TimeSpan SpoolLockTimeout { get; init; } = DefaultSpoolLockTimeout;

    /// <summary>
    /// How long <see cref="GraphiteClient.CloseAsync()"/> / <see cref="GraphiteClient.DisposeAsync"/> try to deliver what
    /// is buffered: written, and consumed by carbon (its orderly close after the client's end of stream proves it).
    /// Default 10 seconds.
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A path put before every metric name, for example <c>servers.web1</c> (a <c>.</c> is added unless it ends
    /// with one). Each of its nodes becomes a directory in carbon's storage, so none may be over 255 bytes in UTF-8, and
    /// it counts towards a name's storage path limit (3840 bytes). Default none.
    /// </summary>
    public string? MetricPrefix { get; init; }

    /// <summary>
    /// Graphite 1.1 tags added to every point, for example <c>host=web1</c>. A point's own tags win over these.
    /// Default none.
    /// </summary>
    public IReadOnlyDictionary<string, string>? DefaultTags { get; init; }

    /// <summary>
    /// With several destinations, how many of them take each metric (carbon's <c>REPLICATION_FACTOR</c>). Default 1.
    /// </summary>
    public int ReplicationFactor { get; init; } = 1;

    /// <summary>
    /// With replication, whether replicas must be on different hosts (carbon's <c>DIVERSE_REPLICAS</c>, default
    /// <see langword="true"/> as in carbon-relay). carbon-c-relay's <c>carbon_ch</c> behaves as <see langword="false"/>,
    /// and with <see cref="Hashing"/> = <see cref="ConsistentHashing.CarbonCRelay"/> this setting is ignored.
    /// </summary>
    public bool DiverseReplicas { get; init; } = true;

    /// <summary>
    /// With several destinations, whose placement the client copies: graphite-carbon's <c>carbon-relay</c>
    /// (<see cref="ConsistentHashing.CarbonRelay"/>, default) or carbon-c-relay's <c>carbon_ch</c> cluster
    /// (<see cref="ConsistentHashing.CarbonCRelay"/>). Pick the relay that also feeds (or will feed) the same caches,
    /// so that every series stays on one cache; <see cref="ConsistentHashing"/> explains how they differ.
    /// </summary>
    /// <remarks>
    /// With <see cref="ConsistentHashing.CarbonCRelay"/> the client places each metric by the name carbon-c-relay
    /// would make of it (bytes outside <c>[0-9A-Za-z._:#-]</c> as <c>_</c>, <c>..</c> collapsed, leading and trailing
    /// dots dropped, tags left out) but still SENDS the name unchanged. carbon-c-relay itself would forward its
    /// rewritten name, so for a name it rewrites the relay and the client store two different series (on the same
    /// cache): keep names to segments of <c>[0-9A-Za-z_:#-]</c> joined by single dots when both feed one cluster
    /// (<see cref="GraphiteEncoder"/>'s <c>%XX</c> escapes, for one, are rewritten). With a single destination this
    /// setting has no effect.
    /// </remarks>
    public ConsistentHashing Hashing { get; init; } = ConsistentHashing.CarbonRelay;

    /// <summary>
    /// TLS to a terminator in front of carbon (carbon-c-relay's <c>ssl</c> listener, stunnel, HAProxy, a hosted Graphite
    /// service), server-authenticated or mutual: see <see cref="GraphiteTlsOptions"/>. Default <see langword="null"/>:
    /// plaintext TCP. TCP only (not with <see cref="GraphiteTransport.Udp"/>). With several destinations every destination
    /// gets its own TLS connection with these settings, each checked against its own host unless
    /// <see cref="GraphiteTlsOptions.TargetHost"/> is set.
    /// </summary>
    public GraphiteTlsOptions? Tls { get; init; }

    /// <summary>The clock for default timestamps, batching and back-off. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the client logs connects, disconnects and drops. Default none.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Creates the client's <c>AioGraphite</c> meter (for dependency injection). Default: a meter of its own.</summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>Opens the connections of a destination instead of sockets (unit tests with an in-memory connection).</summary>
    internal Func<GraphiteDestination, ConnectionFactory>? ConnectionFactory { get; init; }

    /// <summary>The spool's file operations instead of the real disk's (unit tests: a disk that hangs, a file system that loses power). Default: the real one.</summary>
    internal Spool.SpoolFileSystem? SpoolFileSystem { get; init; }

    /// <summary>Checks every value and throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSizeBytes, MinBatchSizeBytes, nameof(BatchSizeBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BatchSizeBytes, MaxBatchSizeBytes, nameof(BatchSizeBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(BufferCapacityBytes, (long)BatchSizeBytes * 2, nameof(BufferCapacityBytes));
        Positive(BatchInterval, nameof(BatchInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDatagramBytes, MinDatagramBytes, nameof(MaxDatagramBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxDatagramBytes, LargestDatagramBytes, nameof(MaxDatagramBytes));
        Positive(ReconnectInitialDelay, nameof(ReconnectInitialDelay));
        if (ReconnectMaxDelay < ReconnectInitialDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectMaxDelay), ReconnectMaxDelay, "ReconnectMaxDelay must not be shorter than ReconnectInitialDelay.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ReplicationFactor, 1, nameof(ReplicationFactor));
        Positive(ReplayWindow, nameof(ReplayWindow));
        ArgumentOutOfRangeException.ThrowIfNegative(ReplayWindowBytes, nameof(ReplayWindowBytes));
        if (SpoolDirectory is not null)
        {
            if (string.IsNullOrWhiteSpace(SpoolDirectory))
            {
                throw new ArgumentException("SpoolDirectory is empty: give a directory, or null for no spool.", nameof(SpoolDirectory));
            }

            ArgumentOutOfRangeException.ThrowIfLessThan(SpoolMaxBytes, MinSpoolMaxBytes, nameof(SpoolMaxBytes));
            ArgumentOutOfRangeException.ThrowIfLessThan(SpoolFileBytes, MinSpoolFileBytes, nameof(SpoolFileBytes));
            if (SpoolLockTimeout < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(SpoolLockTimeout), SpoolLockTimeout, "SpoolLockTimeout must not be negative (zero fails at once when another process holds the spool).");
            }

            if (SpoolSyncInterval < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(SpoolSyncInterval), SpoolSyncInterval, "SpoolSyncInterval must not be negative (zero syncs every batch).");
            }
        }

        if (DeadPeerTimeout < MinDeadPeerTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(DeadPeerTimeout), DeadPeerTimeout, "DeadPeerTimeout must be at least 1 second.");
        }

        if (DrainTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DrainTimeout), DrainTimeout, "DrainTimeout must not be negative.");
        }
        Positive(FullBufferWaitTimeout, nameof(FullBufferWaitTimeout));
        if (!Enum.IsDefined(FullBufferPolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(FullBufferPolicy), FullBufferPolicy, "Unknown FullBufferPolicy.");
        }

        if (!Enum.IsDefined(Hashing))
        {
            throw new ArgumentOutOfRangeException(nameof(Hashing), Hashing, "Unknown ConsistentHashing.");
        }

        if (!Enum.IsDefined(Transport))
        {
            throw new ArgumentOutOfRangeException(nameof(Transport), Transport, "Unknown GraphiteTransport.");
        }

        if (Tls is not null)
        {
            if (Transport == GraphiteTransport.Udp)
            {
                throw new ArgumentException("Tls cannot be used with GraphiteTransport.Udp: TLS needs TCP (carbon has no DTLS listener).", nameof(Tls));
            }

            Tls.Validate(nameof(Tls) + ".");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (MetricPrefix is not null)
        {
            string? error = MetricPrefix.Length == 0 ? "it is empty (use null for no prefix)" : MetricNameRules.Check(MetricPrefix, out _);
            error ??= MetricPrefix.Contains(';', StringComparison.Ordinal) ? "it contains ';' (tags belong in DefaultTags)" : null;
            error ??= WhisperLimits.CheckPrefix(MetricPrefix);
            if (error is not null)
            {
                throw new ArgumentException($"MetricPrefix {MetricNameRules.Quote(MetricPrefix)} is invalid: {error}.", nameof(MetricPrefix));
            }
        }

        if (DefaultTags is not null)
        {
            _ = TaggedName.FormatTagSuffix(DefaultTags, nameof(DefaultTags));
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
        }
    }
}
