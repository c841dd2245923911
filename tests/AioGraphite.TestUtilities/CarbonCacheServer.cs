using System.Buffers.Binary;
using System.Collections;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Razorvine.Pickle;

namespace AioGraphite.TestUtilities;

/// <summary>
/// A real, throw-away Graphite <c>carbon-cache</c> (Debian's graphite-carbon) on free loopback ports,
/// with its own temp directory, for tests that claim "carbon stored it".
/// </summary>
/// <remarks>
/// <para>
/// Layout of <see cref="DataDirectory"/>: <c>conf/</c> (carbon.conf, storage-schemas.conf, storage-aggregation.conf),
/// <c>storage/whisper/</c> (the .wsp files), <c>log/carbon-cache-a/</c> (console, listener, creates, updates, query logs),
/// <c>run/</c> (pidfile).
/// </para>
/// <para>
/// Points reach disk 0.25–1 s after receipt (use <see cref="WaitForPointsAsync"/>, or <see cref="QueryCacheAsync"/>
/// for points still in carbon's write cache). Neither SIGTERM nor SIGKILL flushes that cache: confirm data landed
/// before stopping the server if the test needs it.
/// </para>
/// </remarks>
public sealed class CarbonCacheServer : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(10);

    private readonly CarbonCacheOptions options;
    private readonly DaemonProcess daemon;
    private readonly string configPath;
    private readonly string pidFile;
    private bool disposed;

    private CarbonCacheServer(CarbonCacheOptions options, string directory, IReadOnlyList<int> ports)
    {
        this.options = options;
        DataDirectory = directory;
        LinePort = ports[0];
        PicklePort = ports[1];
        UdpPort = ports[2];
        CacheQueryPort = ports[3];
        WhisperDirectory = Path.Combine(directory, "storage", "whisper");
        LogDirectory = Path.Combine(directory, "log", "carbon-cache-a");
        configPath = Path.Combine(directory, "conf", "carbon.conf");
        pidFile = Path.Combine(directory, "run", "carbon-cache-a.pid");
        daemon = new DaemonProcess(
            $"carbon-cache in {directory}",
            pidFile,
            Path.Combine(LogDirectory, "console.log"),
            Path.Combine(directory, "log", "start.out"));
    }

    /// <summary>The plaintext (line) protocol TCP port.</summary>
    public int LinePort { get; }

    /// <summary>The pickle protocol TCP port.</summary>
    public int PicklePort { get; }

    /// <summary>The plaintext UDP port.</summary>
    public int UdpPort { get; }

    /// <summary>The cache-query TCP port (what graphite-web's CARBONLINK_HOSTS points at).</summary>
    public int CacheQueryPort { get; }

    /// <summary>This server's own temp directory (config, data, logs, pidfile); deleted on dispose.</summary>
    public string DataDirectory { get; }

    /// <summary>carbon's <c>LOCAL_DATA_DIR</c>: where the .wsp files are.</summary>
    public string WhisperDirectory { get; }

    /// <summary><c>LOG_DIR/carbon-cache-a</c>: console.log, listener.log, creates.log, updates.log, query.log.</summary>
    public string LogDirectory { get; }

    /// <summary>The daemon's pid from its last start (still set after it was stopped or killed).</summary>
    public int Pid => daemon.Pid;

    /// <summary>Whether the carbon-cache process is alive.</summary>
    public bool IsRunning => daemon.IsRunning;

    /// <summary>The options it was started with.</summary>
    public CarbonCacheOptions Options => options;

    /// <summary>
    /// Installs carbon if needed (<c>scripts/install-carbon.sh</c>), writes a config with free loopback
    /// ports in a fresh temp directory, starts <c>carbon-cache</c> and waits until every port listens.
    /// </summary>
    /// <param name="options">Retentions etc.; defaults when <see langword="null"/>.</param>
    /// <returns>The running server; dispose it.</returns>
    /// <exception cref="InvalidOperationException">Carbon is not installed (the message says what to run) or did not start (the message has its log).</exception>
    public static async Task<CarbonCacheServer> StartAsync(CarbonCacheOptions? options = null)
    {
        options ??= new CarbonCacheOptions();
        await CarbonInstallation.EnsureInstalledAsync().ConfigureAwait(false);
        var directory = TestDirectory.Create("carbon-cache");
        var server = new CarbonCacheServer(options, directory, FreePorts.AllocateTcpAndUdp(4));
        try
        {
            server.WriteConfiguration();
            await server.LaunchAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>SIGKILL: the process dies at once, losing whatever is still in its write cache.</summary>
    /// <returns>Completes when the process is gone.</returns>
    public Task KillAsync() => daemon.KillAsync();

    /// <summary>SIGTERM, then SIGKILL after 10 s. carbon does not flush its write cache on SIGTERM either.</summary>
    /// <returns>Completes when the process is gone.</returns>
    public Task StopAsync() => daemon.StopAsync(StopGrace);

    /// <summary>Starts carbon again after <see cref="KillAsync"/> / <see cref="StopAsync"/>, on the same ports and data directory.</summary>
    /// <returns>Completes when all ports listen again.</returns>
    /// <exception cref="InvalidOperationException">It is still running, or it did not start.</exception>
    public Task StartAgainAsync()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return LaunchAsync();
    }

    /// <summary><see cref="StopAsync"/> then <see cref="StartAgainAsync"/>.</summary>
    /// <returns>Completes when all ports listen again.</returns>
    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await StartAgainAsync().ConfigureAwait(false);
    }

    /// <summary>The .wsp file carbon uses for <paramref name="metric"/> (tags normalised as carbon does).</summary>
    /// <param name="metric">The name as sent, e.g. <c>a.b.c</c> or <c>cpu;host=web1</c>.</param>
    /// <returns>An absolute path under <see cref="WhisperDirectory"/>.</returns>
    public string WhisperPath(string metric)
        => WhisperDirectory + "/" + CarbonTaggedSeries.WhisperRelativePath(metric, options.TagHashFilenames);

    /// <summary>What the metric's whisper file holds now (empty when it does not exist yet).</summary>
    /// <param name="metric">The name as sent.</param>
    /// <returns>The stored points, sorted by timestamp.</returns>
    public Task<IReadOnlyList<(long Timestamp, double Value)>> ReadPointsAsync(string metric)
        => Task.FromResult(TryRead(WhisperPath(metric)));

    /// <summary>Polls the metric's whisper file until it holds at least <paramref name="expectedCount"/> points.</summary>
    /// <param name="metric">The name as sent.</param>
    /// <param name="expectedCount">How many points to wait for.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>All points in the file, sorted by timestamp.</returns>
    /// <exception cref="TimeoutException">Fewer points after <paramref name="timeout"/>; the message shows what is in the file, the cache and the logs.</exception>
    public async Task<IReadOnlyList<(long Timestamp, double Value)>> WaitForPointsAsync(string metric, int expectedCount, TimeSpan timeout)
    {
        var path = WhisperPath(metric);
        IReadOnlyList<(long Timestamp, double Value)> points = [];
        if (!await Poll.TryUntilAsync(() => (points = TryRead(path)).Count >= expectedCount, timeout, TimeSpan.FromMilliseconds(50)).ConfigureAwait(false))
        {
            throw new TimeoutException(await DescribeMissingAsync(metric, path, expectedCount, points, timeout).ConfigureAwait(false));
        }

        return points;
    }

    /// <summary>
    /// Asks carbon's cache-query port for the points it holds in memory (not yet written to disk) for
    /// <paramref name="metric"/>, as graphite-web does.
    /// </summary>
    /// <param name="metric">The name as sent (normalised as carbon does before asking).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The cached points, sorted by timestamp (a fractional timestamp is floored).</returns>
    public async Task<IReadOnlyList<(long Timestamp, double Value)>> QueryCacheAsync(string metric, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metric);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(QueryTimeout);
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, CacheQueryPort, cts.Token).ConfigureAwait(false);
        var stream = client.GetStream();
        await stream.WriteAsync(CacheQueryFrame(CarbonTaggedSeries.Normalize(metric)), cts.Token).ConfigureAwait(false);

        var header = new byte[4];
        await stream.ReadExactlyAsync(header, cts.Token).ConfigureAwait(false);
        var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(header)];
        await stream.ReadExactlyAsync(payload, cts.Token).ConfigureAwait(false);
        return DecodeCacheQueryReply(payload);
    }

    /// <summary>The text of one of carbon's logs, or "" when it does not exist (yet).</summary>
    /// <param name="name"><c>console</c>, <c>listener</c>, <c>creates</c>, <c>updates</c>, <c>query</c> (with or without <c>.log</c>).</param>
    /// <returns>The log text.</returns>
    public string ReadLog(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var path = Path.Combine(LogDirectory, name.EndsWith(".log", StringComparison.Ordinal) ? name : name + ".log");
        try
        {
            return ProcessRunner.ReadShared(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>Every .wsp file under <see cref="WhisperDirectory"/>.</summary>
    /// <returns>Absolute paths.</returns>
    public IEnumerable<string> AllWhisperFiles()
        => Directory.Exists(WhisperDirectory)
            ? Directory.EnumerateFiles(WhisperDirectory, "*.wsp", SearchOption.AllDirectories)
            : [];

    /// <summary>Kills carbon (its cache is thrown away with the directory anyway) and deletes the temp directory unless <c>AIOGRAPHITE_KEEP_TEST_DIRS=1</c>.</summary>
    /// <returns>Completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await daemon.KillAsync().ConfigureAwait(false);
        TestDirectory.Delete(DataDirectory);
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"carbon-cache pid {Pid} line {LinePort} pickle {PicklePort} udp {UdpPort} query {CacheQueryPort} in {DataDirectory}";

    // pickle protocol 2 of {'type': 'cache-query', 'metric': NAME}:
    // PROTO 2, EMPTY_DICT, MARK, 4 x BINUNICODE, SETITEMS, STOP - what pickle.loads needs, no memo.
    internal static byte[] CacheQueryFrame(string metric)
    {
        using var body = new MemoryStream();
        body.Write([0x80, 0x02, (byte)'}', (byte)'(']);
        foreach (var text in new[] { "type", "cache-query", "metric", metric })
        {
            var utf8 = Encoding.UTF8.GetBytes(text);
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
            body.WriteByte((byte)'X');
            body.Write(length);
            body.Write(utf8);
        }

        body.Write([(byte)'u', (byte)'.']);
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.ToArray().CopyTo(frame, 4);
        return frame;
    }

    private static List<(long Timestamp, double Value)> DecodeCacheQueryReply(byte[] payload)
    {
        object reply;
        using (var unpickler = new Unpickler())
        {
            reply = unpickler.loads(payload);
        }

        if (reply is not IDictionary dict)
        {
            throw new InvalidDataException($"cache-query reply is not a dict: {reply}");
        }

        if (dict["error"] is { } error)
        {
            throw new InvalidOperationException($"carbon answered the cache query with an error: {error}");
        }

        if (dict["datapoints"] is not IEnumerable datapoints)
        {
            throw new InvalidDataException("cache-query reply has no 'datapoints'");
        }

        var result = new List<(long Timestamp, double Value)>();
        foreach (var item in datapoints)
        {
            if (item is not object[] { Length: 2 } pair)
            {
                throw new InvalidDataException($"unexpected cache-query datapoint: {item}");
            }

            var timestamp = Convert.ToDouble(pair[0], CultureInfo.InvariantCulture);
            result.Add(((long)Math.Floor(timestamp), Convert.ToDouble(pair[1], CultureInfo.InvariantCulture)));
        }

        result.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        return result;
    }

    private static IReadOnlyList<(long Timestamp, double Value)> TryRead(string path)
    {
        try
        {
            return WhisperReader.ReadAll(path);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            return []; // not created yet, or still being created
        }
    }

    private async Task LaunchAsync()
    {
        var busy = new List<string>();
        var tcp = ProcNet.TcpListeningPorts(anyAddress: true);
        foreach (var port in new[] { LinePort, PicklePort, CacheQueryPort })
        {
            if (tcp.Contains(port))
            {
                busy.Add($"tcp {port}");
            }
        }

        if (ProcNet.IsUdpBound(UdpPort, anyAddress: true))
        {
            busy.Add($"udp {UdpPort}");
        }

        if (busy.Count > 0)
        {
            // carbon binds with SO_REUSEPORT: it would start anyway and share the traffic with the other listener.
            throw new InvalidOperationException($"cannot start {this}: port(s) already in use by another process: {string.Join(", ", busy)}");
        }

        await daemon.StartAsync(
            CarbonInstallation.CarbonCache,
            [$"--config={configPath}", $"--pidfile={pidFile}", "start"],
            NotListening,
            options.StartTimeout).ConfigureAwait(false);
    }

    private List<string> NotListening()
    {
        var missing = new List<string>();
        var tcp = ProcNet.TcpListeningPorts();
        foreach (var (kind, port) in new[] { ("line", LinePort), ("pickle", PicklePort), ("cache-query", CacheQueryPort) })
        {
            if (!tcp.Contains(port))
            {
                missing.Add($"{kind} tcp 127.0.0.1:{port}");
            }
        }

        if (!ProcNet.UdpBoundPorts().Contains(UdpPort))
        {
            missing.Add($"udp 127.0.0.1:{UdpPort}");
        }

        return missing;
    }

    private void WriteConfiguration()
    {
        foreach (var sub in new[] { "conf", "storage/whisper", "storage/lists", "log", "run" })
        {
            Directory.CreateDirectory(Path.Combine(DataDirectory, sub));
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["STORAGE_DIR"] = Path.Combine(DataDirectory, "storage"),
            ["LOCAL_DATA_DIR"] = WhisperDirectory,
            ["WHITELISTS_DIR"] = Path.Combine(DataDirectory, "storage", "lists"),
            ["LOG_DIR"] = Path.Combine(DataDirectory, "log"),
            ["PID_DIR"] = Path.Combine(DataDirectory, "run"),
            ["USER"] = string.Empty,
            ["ENABLE_LOGROTATION"] = "False",
            ["MAX_CACHE_SIZE"] = "inf",
            ["MAX_UPDATES_PER_SECOND"] = "inf",
            ["MAX_CREATES_PER_MINUTE"] = "inf",
            ["LINE_RECEIVER_INTERFACE"] = "127.0.0.1",
            ["LINE_RECEIVER_PORT"] = Invariant(LinePort),
            ["PICKLE_RECEIVER_INTERFACE"] = "127.0.0.1",
            ["PICKLE_RECEIVER_PORT"] = Invariant(PicklePort),
            ["ENABLE_UDP_LISTENER"] = "True",
            ["UDP_RECEIVER_INTERFACE"] = "127.0.0.1",
            ["UDP_RECEIVER_PORT"] = Invariant(UdpPort),
            ["CACHE_QUERY_INTERFACE"] = "127.0.0.1",
            ["CACHE_QUERY_PORT"] = Invariant(CacheQueryPort),
            ["CACHE_WRITE_STRATEGY"] = "sorted",
            ["WHISPER_AUTOFLUSH"] = "True",
            ["WHISPER_SPARSE_CREATE"] = "True",
            ["ENABLE_TAGS"] = options.EnableTags ? "True" : "False",
            ["TAG_HASH_FILENAMES"] = options.TagHashFilenames ? "True" : "False",
            ["GRAPHITE_URL"] = "http://127.0.0.1:1", // ENABLE_TAGS=True must never reach a real graphite-web
            ["CARBON_METRIC_INTERVAL"] = "0",
            ["LOG_UPDATES"] = "True",
            ["LOG_CREATES"] = "True",
            ["LOG_CACHE_HITS"] = "True",
            ["LOG_LISTENER_CONN_SUCCESS"] = "True",
            ["USE_INSECURE_UNPICKLER"] = "False",
        };
        foreach (var (key, value) in options.ExtraSettings)
        {
            settings[key] = value;
        }

        var conf = new StringBuilder("[cache]\n");
        foreach (var (key, value) in settings)
        {
            conf.Append(CultureInfo.InvariantCulture, $"{key} = {value}\n");
        }

        File.WriteAllText(configPath, conf.ToString());
        File.WriteAllText(
            Path.Combine(DataDirectory, "conf", "storage-schemas.conf"),
            $"[everything]\npattern = .*\nretentions = {options.Retentions}\n");
        File.WriteAllText(
            Path.Combine(DataDirectory, "conf", "storage-aggregation.conf"),
            $"[everything]\npattern = .*\nxFilesFactor = {Invariant(options.XFilesFactor)}\naggregationMethod = {options.AggregationMethod}\n");
    }

    private async Task<string> DescribeMissingAsync(string metric, string path, int expectedCount, IReadOnlyList<(long Timestamp, double Value)> points, TimeSpan timeout)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"'{metric}': expected at least {expectedCount} point(s) in {path} within {timeout.TotalSeconds:0.#} s, found {points.Count}");
        text.Append(File.Exists(path) ? string.Empty : " (file does not exist)");
        text.Append(CultureInfo.InvariantCulture, $": [{string.Join(", ", points.Take(20).Select(p => $"{p.Timestamp} {p.Value.ToString("R", CultureInfo.InvariantCulture)}"))}]\n");
        text.Append(CultureInfo.InvariantCulture, $"{this}, running: {IsRunning}\n");
        if (IsRunning)
        {
            try
            {
                var cached = await QueryCacheAsync(metric).ConfigureAwait(false);
                text.Append(CultureInfo.InvariantCulture, $"carbon's write cache holds {cached.Count} point(s) for it\n");
            }
            catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException or OperationCanceledException)
            {
                text.Append(CultureInfo.InvariantCulture, $"cache query failed: {ex.Message}\n");
            }
        }

        foreach (var log in new[] { "console.log", "listener.log", "creates.log" })
        {
            text.Append(CultureInfo.InvariantCulture, $"--- {log} (last lines):\n{ProcessRunner.Tail(Path.Combine(LogDirectory, log), 15)}\n");
        }

        return text.ToString();
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
