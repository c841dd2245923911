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

    /// <summary>How long whisper must stay unchanged before <see cref="WaitForAllStoredAsync"/> counts missing points as lost.</summary>
    public static TimeSpan SettleTime { get; } = TimeSpan.FromSeconds(3);

    private readonly CarbonCacheOptions options;
    private readonly DaemonProcess daemon;
    private readonly string configPath;
    private readonly string pidFile;
    private readonly NetworkNamespace? networkNamespace;
    private bool disposed;

    private CarbonCacheServer(CarbonCacheOptions options, string directory, IReadOnlyList<int> ports)
    {
        this.options = options;
        networkNamespace = options.NetworkNamespace;
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

    /// <summary>Whether it is stopped by <see cref="Freeze"/>.</summary>
    public bool IsFrozen => daemon.Pid > 0 && Posix.IsStopped(daemon.Pid);

    private string ProcNetDirectory => networkNamespace?.ProcNetDirectory ?? ProcNet.Own;

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
        for (var attempt = 1; ; attempt++)
        {
            var directory = TestDirectory.Create("carbon-cache");
            var server = new CarbonCacheServer(options, directory, FreePorts.AllocateTcpAndUdp(4));
            try
            {
                server.WriteConfiguration();
                await server.LaunchAsync().ConfigureAwait(false);
                return server;
            }
            catch (PortsTakenException) when (attempt < 3)
            {
                // A process that does not use FreePorts' lock took a port between the check and the start: new ports.
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>SIGKILL: the process dies at once, losing whatever is still in its write cache.</summary>
    /// <returns>Completes when the process is gone.</returns>
    public Task KillAsync() => daemon.KillAsync();

    /// <summary>
    /// SIGSTOP: carbon stops reading, so what clients send piles up unread in the kernels' socket buffers and every
    /// write still succeeds. <see cref="Thaw"/> resumes it; <see cref="KillAsync"/> kills it frozen.
    /// </summary>
    /// <exception cref="InvalidOperationException">It is not running.</exception>
    public void Freeze()
    {
        if (!IsRunning || !Posix.Signal(Pid, Posix.SigStop))
        {
            throw new InvalidOperationException($"cannot freeze {this}: it is not running");
        }

        // The signal is delivered asynchronously: return once the kernel shows it stopped.
        var deadline = Environment.TickCount64 + 5000;
        while (!Posix.IsStopped(Pid))
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new InvalidOperationException($"{this} is not stopped 5 s after SIGSTOP");
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>SIGCONT: carbon resumes after <see cref="Freeze"/> and reads what piled up.</summary>
    /// <exception cref="InvalidOperationException">It is not running.</exception>
    public void Thaw()
    {
        if (!IsRunning || !Posix.Signal(Pid, Posix.SigCont))
        {
            throw new InvalidOperationException($"cannot thaw {this}: it is not running");
        }
    }

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
    /// Waits until whisper holds every expected point with its exact value, and reports what is lost when it does not:
    /// "lost 12,254 of 60,000 points", per series and which seconds of the stream.
    /// </summary>
    /// <param name="expected">The series and their points.</param>
    /// <param name="timeout">The longest wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The report; check <see cref="StoredPointsReport.Complete"/>.</returns>
    /// <remarks>
    /// Call it once every sender has finished (closed, or its process exited). The wait then also ends early, when
    /// nothing can arrive any more: whisper has not changed for <see cref="SettleTime"/> and carbon is not running or
    /// holds no point of an incomplete series in its write cache (asked through the cache-query port). carbon reads
    /// what is left in its socket buffers within milliseconds, so a failing test reports in seconds, not at the timeout.
    /// </remarks>
    public async Task<StoredPointsReport> WaitForAllStoredAsync(IReadOnlyList<ExpectedSeries> expected, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var started = Environment.TickCount64;
        var quietSince = started;
        long lastSignature = -1;
        List<SeriesLoss>? previous = null;
        while (true)
        {
            var (losses, signature) = Compare(expected, previous);
            previous = losses;
            var now = Environment.TickCount64;
            var lost = losses.Sum(l => l.Lost);
            string? ending = null;
            if (lost == 0)
            {
                (losses, _) = Compare(expected); // every series read once more, at the same moment
                previous = losses;
                lost = losses.Sum(l => l.Lost);
                ending = lost == 0 ? "complete" : null;
            }
            else if (now - started > (long)timeout.TotalMilliseconds)
            {
                ending = $"timed out, carbon {(IsRunning ? IsFrozen ? "frozen" : "running" : "not running")}";
            }
            else if (signature != lastSignature)
            {
                lastSignature = signature;
                quietSince = now;
            }
            else if (now - quietSince >= (long)SettleTime.TotalMilliseconds)
            {
                var cached = await CachedPointsAsync(losses.Where(l => l.Lost > 0).Select(l => l.Metric), cancellationToken).ConfigureAwait(false);
                if (cached == 0)
                {
                    ending = $"settled: whisper unchanged for {SettleTime.TotalSeconds:0} s and {(IsRunning ? "carbon's write cache empty" : "carbon not running")}";
                }
                else
                {
                    quietSince = Environment.TickCount64; // carbon is still writing them: look again later
                }
            }

            if (ending is not null)
            {
                var first = expected.SelectMany(e => e.Points).Select(p => p.Timestamp).DefaultIfEmpty().Min();
                return new StoredPointsReport(losses, first, TimeSpan.FromMilliseconds(Environment.TickCount64 - started), ending);
            }

            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// How many of the expected points carbon has received: stored in whisper, or held in its write cache (asked through
    /// the cache-query port), each with its exact value. A point in the cache is read but not safe: SIGKILL loses it.
    /// </summary>
    /// <param name="expected">The series and their points.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>Points received, at most the number expected.</returns>
    public async Task<int> CountReceivedAsync(IReadOnlyList<ExpectedSeries> expected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var received = 0;
        foreach (var series in expected)
        {
            var seen = new Dictionary<long, double>();
            foreach (var (timestamp, value) in await QueryCacheAsync(series.Metric, cancellationToken).ConfigureAwait(false))
            {
                seen[timestamp] = value;
            }

            foreach (var (timestamp, value) in TryRead(WhisperPath(series.Metric)))
            {
                seen.TryAdd(timestamp, value);
            }

            received += series.Points.Count(p => seen.TryGetValue(p.Timestamp, out var v) && v.Equals(p.Value));
        }

        return received;
    }

    /// <summary>
    /// Waits until carbon has received every expected point (<see cref="CountReceivedAsync"/>): a test that makes a fault
    /// "after carbon read the points" waits here first.
    /// </summary>
    /// <param name="expected">The series and their points.</param>
    /// <param name="timeout">The longest wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Completes when every point is in carbon's cache or in whisper.</returns>
    /// <exception cref="TimeoutException">Not every point arrived in time; the message says how many did.</exception>
    public async Task WaitForAllReceivedAsync(IReadOnlyList<ExpectedSeries> expected, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var total = expected.Sum(s => s.Points.Count);
        var received = 0;
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while ((received = await CountReceivedAsync(expected, cancellationToken).ConfigureAwait(false)) < total)
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"{this} received {received:N0} of {total:N0} points (in whisper or its write cache) within {timeout.TotalSeconds:0} s; running: {IsRunning}, frozen: {IsFrozen}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
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
        using var socket = await ConnectAsync(CacheQueryPort, cts.Token).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
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
        => $"carbon-cache pid {Pid} line {LinePort} pickle {PicklePort} udp {UdpPort} query {CacheQueryPort} in {DataDirectory}"
            + (networkNamespace is null ? string.Empty : $", inside {networkNamespace}");

    /// <summary>A TCP connection to one of its ports, from inside its network namespace when it runs in one.</summary>
    /// <param name="port">The port.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connected socket.</returns>
    public async Task<Socket> ConnectAsync(int port, CancellationToken cancellationToken = default)
    {
        if (networkNamespace is not null)
        {
            return await networkNamespace.ConnectTcpAsync(port, cancellationToken).ConfigureAwait(false);
        }

        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

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

    /// <summary>Compares whisper with <paramref name="expected"/>; series complete in <paramref name="previous"/> are not read again.</summary>
    private (List<SeriesLoss> Losses, long Signature) Compare(IReadOnlyList<ExpectedSeries> expected, List<SeriesLoss>? previous = null)
    {
        var losses = new List<SeriesLoss>(expected.Count);
        long signature = 0;
        for (var i = 0; i < expected.Count; i++)
        {
            var series = expected[i];
            if (previous is not null && previous[i].Lost == 0)
            {
                losses.Add(previous[i]);
                signature = (signature * 31) + series.Points.Count;
                continue;
            }

            var stored = new Dictionary<long, double>();
            foreach (var (timestamp, value) in TryRead(WhisperPath(series.Metric)))
            {
                stored[timestamp] = value;
            }

            int missing = 0, wrong = 0;
            var runs = new List<(long First, long Last)>();
            foreach (var (timestamp, value) in series.Points)
            {
                if (stored.TryGetValue(timestamp, out var actual) && actual.Equals(value))
                {
                    continue;
                }

                if (stored.ContainsKey(timestamp))
                {
                    wrong++;
                }
                else
                {
                    missing++;
                }

                if (runs.Count > 0 && runs[^1].Last == timestamp - 1)
                {
                    runs[^1] = (runs[^1].First, timestamp);
                }
                else
                {
                    runs.Add((timestamp, timestamp));
                }
            }

            signature = (signature * 31) + stored.Count + (wrong * 7919L);
            losses.Add(new SeriesLoss(series.Metric, series.Points.Count, missing, wrong, runs));
        }

        return (losses, signature);
    }

    private async Task<int> CachedPointsAsync(IEnumerable<string> metrics, CancellationToken cancellationToken)
    {
        if (!IsRunning)
        {
            return 0;
        }

        var total = 0;
        foreach (var metric in metrics)
        {
            try
            {
                total += (await QueryCacheAsync(metric, cancellationToken).ConfigureAwait(false)).Count;
            }
            catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return -1; // cannot tell (frozen, restarting): not settled
            }
        }

        return total;
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
        var tcp = ProcNet.TcpListeningPorts(anyAddress: true, ProcNetDirectory);
        foreach (var port in new[] { LinePort, PicklePort, CacheQueryPort })
        {
            if (tcp.Contains(port))
            {
                busy.Add($"tcp {port}");
            }
        }

        if (ProcNet.IsUdpBound(UdpPort, anyAddress: true, ProcNetDirectory))
        {
            busy.Add($"udp {UdpPort}");
        }

        if (busy.Count > 0)
        {
            // carbon binds with SO_REUSEPORT: it would start anyway and share the traffic with the other listener.
            var message = $"cannot start {this}: port(s) already in use by another process: {string.Join(", ", busy)}";
            throw daemon.Pid == 0 ? new PortsTakenException(message) : new InvalidOperationException(message);
        }

        string[] arguments = [$"--config={configPath}", $"--pidfile={pidFile}", "start"];
        var (launcher, launcherArguments) = networkNamespace?.Wrap(CarbonInstallation.CarbonCache, arguments) ?? (CarbonInstallation.CarbonCache, arguments);
        await daemon.StartAsync(launcher, launcherArguments, NotListening, options.StartTimeout).ConfigureAwait(false);
    }

    private List<string> NotListening()
    {
        var missing = new List<string>();
        var tcp = ProcNet.TcpListeningPorts(procNet: ProcNetDirectory);
        foreach (var (kind, port) in new[] { ("line", LinePort), ("pickle", PicklePort), ("cache-query", CacheQueryPort) })
        {
            if (!tcp.Contains(port))
            {
                missing.Add($"{kind} tcp 127.0.0.1:{port}");
            }
        }

        if (!ProcNet.UdpBoundPorts(procNet: ProcNetDirectory).Contains(UdpPort))
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
            ["MAX_UPDATES_PER_SECOND"] = options.MaxUpdatesPerSecond is { } updates ? Invariant(updates) : "inf",
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

    /// <summary>One of its ports is taken by another process.</summary>
    private sealed class PortsTakenException(string message) : InvalidOperationException(message);

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
