using System.Diagnostics.Metrics;
using AioGraphite.Naming;
using Microsoft.Extensions.Logging;

namespace AioGraphite;

/// <summary>
/// Settings of a <see cref="GraphiteClient"/>. Every property has a sensible default, written in its
/// documentation; <see cref="Default"/> holds them all. Values are checked once, when the client is created.
/// </summary>
public sealed record GraphiteClientOptions
{
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

    /// <summary>What to do when the buffer is full. Default <see cref="AioGraphite.FullBufferPolicy.DropOldest"/>.</summary>
    public FullBufferPolicy FullBufferPolicy { get; init; } = FullBufferPolicy.DropOldest;

    /// <summary>With <see cref="AioGraphite.FullBufferPolicy.Wait"/>, how long a send waits for room before dropping. Default 5 seconds.</summary>
    public TimeSpan FullBufferWaitTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Size of one batch (TCP): the sender writes a batch once it is full. Default 64 KiB; between 4 KiB and 1 MiB.</summary>
    public int BatchSizeBytes { get; init; } = 64 * 1024;

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
    /// Whether bytes written in the last <see cref="ReplayWindow"/> are written again after a reconnect. Default
    /// <see langword="true"/>: carbon acknowledges nothing and loses its in-memory cache when it dies, and a write
    /// to carbon-cache is idempotent per (metric, timestamp), so replay turns "lost" into "written twice with the
    /// same value". Turn it off when sending to an aggregating relay, which would count replayed points twice.
    /// </summary>
    public bool ReplayEnabled { get; init; } = true;

    /// <summary>How far back the replay window reaches. Default 5 seconds.</summary>
    public TimeSpan ReplayWindow { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most bytes the replay window keeps. Default 16 MiB.</summary>
    public long ReplayWindowBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>How long <see cref="GraphiteClient.CloseAsync()"/> / <see cref="GraphiteClient.DisposeAsync"/> try to deliver what is buffered. Default 10 seconds.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A path put before every metric name, for example <c>servers.web1</c> (a <c>.</c> is added unless it ends
    /// with one). Default none.
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

    /// <summary>The clock for default timestamps, batching and back-off. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the client logs connects, disconnects and drops. Default none.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Creates the client's <c>AioGraphite</c> meter (for dependency injection). Default: a meter of its own.</summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>Checks every value and throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSizeBytes, 4096, nameof(BatchSizeBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BatchSizeBytes, 1 << 20, nameof(BatchSizeBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(BufferCapacityBytes, (long)BatchSizeBytes * 2, nameof(BufferCapacityBytes));
        Positive(BatchInterval, nameof(BatchInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDatagramBytes, 64, nameof(MaxDatagramBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxDatagramBytes, 8192, nameof(MaxDatagramBytes));
        Positive(ReconnectInitialDelay, nameof(ReconnectInitialDelay));
        if (ReconnectMaxDelay < ReconnectInitialDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectMaxDelay), ReconnectMaxDelay, "ReconnectMaxDelay must not be shorter than ReconnectInitialDelay.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ReplicationFactor, 1, nameof(ReplicationFactor));
        Positive(ReplayWindow, nameof(ReplayWindow));
        ArgumentOutOfRangeException.ThrowIfNegative(ReplayWindowBytes, nameof(ReplayWindowBytes));
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

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (MetricPrefix is not null)
        {
            string? error = MetricPrefix.Length == 0 ? "it is empty (use null for no prefix)" : MetricNameRules.Check(MetricPrefix, out _);
            error ??= MetricPrefix.Contains(';', StringComparison.Ordinal) ? "it contains ';' (tags belong in DefaultTags)" : null;
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
