using System.Globalization;
using System.Text;

namespace AioGraphite.TestUtilities;

/// <summary>
/// A real relay in front of several <see cref="CarbonCacheServer"/>s, sharding with carbon's consistent hash
/// (<c>carbon_ch</c>, replication 1): either <c>carbon-c-relay</c> (line protocol only) or graphite's own
/// Python <c>carbon-relay</c> (line and pickle). Cache <c>i</c> is instance <see cref="InstanceName"/>(i):
/// <c>a</c>, <c>b</c>, <c>c</c>, ... on 127.0.0.1.
/// </summary>
/// <remarks>
/// The relay does not own the caches: dispose them yourself (after the relay).
/// carbon-c-relay rewrites names (<c>..</c> collapsed, leading/trailing dots dropped, bytes outside
/// <c>[0-9a-zA-Z-_:#]</c> become <c>_</c>, tags kept).
/// </remarks>
public sealed class CarbonRelayServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly DaemonProcess daemon;
    private readonly string launcher;
    private readonly IReadOnlyList<string> arguments;
    private readonly int picklePort;
    private bool disposed;

    private CarbonRelayServer(bool isPython, string directory, IReadOnlyList<CarbonCacheServer> caches, int linePort, int picklePort, string configPath, string pidFile, string logPath)
    {
        IsPythonRelay = isPython;
        DataDirectory = directory;
        Caches = caches;
        LinePort = linePort;
        UdpPort = linePort;
        this.picklePort = picklePort;
        ConfigPath = configPath;
        LogPath = logPath;
        daemon = new DaemonProcess($"{(isPython ? "carbon-relay" : "carbon-c-relay")} in {directory}", pidFile, logPath, Path.Combine(directory, "start.out"));
        if (isPython)
        {
            launcher = CarbonInstallation.CarbonRelay;
            arguments = [$"--config={configPath}", $"--pidfile={pidFile}", "start"];
        }
        else
        {
            launcher = CarbonInstallation.CarbonCRelay;

            // -s: submission mode (no carbon.relays.* self-metrics); -D daemonise; -P pidfile; -l log (absolute path)
            arguments = ["-f", configPath, "-s", "-w", "2", "-D", "-P", pidFile, "-l", logPath];
        }
    }

    /// <summary>True for graphite's Python <c>carbon-relay</c>, false for <c>carbon-c-relay</c>.</summary>
    public bool IsPythonRelay { get; }

    /// <summary>The caches behind the relay; cache <c>i</c> is instance <see cref="InstanceName"/>(i).</summary>
    public IReadOnlyList<CarbonCacheServer> Caches { get; }

    /// <summary>The plaintext TCP port.</summary>
    public int LinePort { get; }

    /// <summary>The plaintext UDP port (the same number as <see cref="LinePort"/>).</summary>
    public int UdpPort { get; }

    /// <summary>The pickle TCP port (Python relay only).</summary>
    /// <exception cref="InvalidOperationException">carbon-c-relay has no pickle listener.</exception>
    public int PicklePort => IsPythonRelay
        ? picklePort
        : throw new InvalidOperationException("carbon-c-relay speaks only the line protocol: it has no pickle port (use StartPythonRelayAsync)");

    /// <summary>This relay's temp directory; deleted on dispose.</summary>
    public string DataDirectory { get; }

    /// <summary>relay.conf (C) or carbon.conf (Python).</summary>
    public string ConfigPath { get; }

    /// <summary>The relay's main log: relay.log (C) or log/carbon-relay-a/console.log (Python).</summary>
    public string LogPath { get; }

    /// <summary>The daemon's pid from its last start.</summary>
    public int Pid => daemon.Pid;

    /// <summary>Whether the relay process is alive.</summary>
    public bool IsRunning => daemon.IsRunning;

    /// <summary>The instance name of cache <paramref name="index"/> in the hash ring: a, b, ..., z, then i26, i27, ...</summary>
    /// <param name="index">Position in the list of caches.</param>
    /// <returns>The name.</returns>
    public static string InstanceName(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return index < 26 ? ((char)('a' + index)).ToString() : "i" + index.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Starts <c>carbon-c-relay</c> with <c>cluster caches carbon_ch replication 1 127.0.0.1:&lt;line&gt;=a ...</c>, listening (line protocol, TCP and UDP) on a free port.</summary>
    /// <param name="caches">The running caches to shard over.</param>
    /// <returns>The running relay.</returns>
    public static async Task<CarbonRelayServer> StartCRelayAsync(IReadOnlyList<CarbonCacheServer> caches)
    {
        CheckCaches(caches);
        await CarbonInstallation.EnsureInstalledAsync().ConfigureAwait(false);
        var dir = TestDirectory.Create("carbon-c-relay");
        var port = FreePorts.AllocateTcpAndUdp();
        var config = new StringBuilder();
        config.Append(CultureInfo.InvariantCulture, $"listen\n    type linemode\n        127.0.0.1:{port} proto tcp\n        127.0.0.1:{port} proto udp\n    ;\n\n");
        config.Append("# carbon_ch hashes host and instance: two caches on one host NEED distinct =names\ncluster caches\n    carbon_ch replication 1\n");
        for (var i = 0; i < caches.Count; i++)
        {
            config.Append(CultureInfo.InvariantCulture, $"        127.0.0.1:{caches[i].LinePort}={InstanceName(i)}\n");
        }

        config.Append("    ;\n\nmatch *\n    send to caches\n    stop\n    ;\n");
        var configPath = Path.Combine(dir, "relay.conf");
        await File.WriteAllTextAsync(configPath, config.ToString()).ConfigureAwait(false);
        var relay = new CarbonRelayServer(false, dir, caches, port, 0, configPath, Path.Combine(dir, "relay.pid"), Path.Combine(dir, "relay.log"));
        return await relay.FirstStartAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Starts graphite's Python <c>carbon-relay</c> (RELAY_METHOD consistent-hashing, DESTINATIONS
    /// <c>127.0.0.1:&lt;pickle&gt;:a, ...</c>, DESTINATION_PROTOCOL pickle) with line (TCP, UDP) and pickle listeners on free ports.
    /// </summary>
    /// <param name="caches">The running caches to shard over.</param>
    /// <returns>The running relay.</returns>
    public static async Task<CarbonRelayServer> StartPythonRelayAsync(IReadOnlyList<CarbonCacheServer> caches)
    {
        CheckCaches(caches);
        await CarbonInstallation.EnsureInstalledAsync().ConfigureAwait(false);
        var dir = TestDirectory.Create("carbon-relay");
        var linePort = FreePorts.AllocateTcpAndUdp();
        var pickleListenPort = FreePorts.AllocateTcp();
        foreach (var sub in new[] { "conf", "storage", "log", "run" })
        {
            Directory.CreateDirectory(Path.Combine(dir, sub));
        }

        var destinations = string.Join(", ", caches.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{c.PicklePort}:{InstanceName(i)}")));
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["STORAGE_DIR"] = Path.Combine(dir, "storage"),
            ["LOG_DIR"] = Path.Combine(dir, "log"),
            ["PID_DIR"] = Path.Combine(dir, "run"),
            ["USER"] = string.Empty,
            ["ENABLE_LOGROTATION"] = "False",
            ["LINE_RECEIVER_INTERFACE"] = "127.0.0.1",
            ["LINE_RECEIVER_PORT"] = linePort.ToString(CultureInfo.InvariantCulture),
            ["PICKLE_RECEIVER_INTERFACE"] = "127.0.0.1",
            ["PICKLE_RECEIVER_PORT"] = pickleListenPort.ToString(CultureInfo.InvariantCulture),
            ["ENABLE_UDP_LISTENER"] = "True",
            ["UDP_RECEIVER_INTERFACE"] = "127.0.0.1",
            ["UDP_RECEIVER_PORT"] = linePort.ToString(CultureInfo.InvariantCulture),
            ["RELAY_METHOD"] = "consistent-hashing",
            ["REPLICATION_FACTOR"] = "1",
            ["DESTINATIONS"] = destinations,
            ["DESTINATION_PROTOCOL"] = "pickle",
            ["MAX_QUEUE_SIZE"] = "100000",
            ["CARBON_METRIC_INTERVAL"] = "0",
            ["ENABLE_TAGS"] = "False",
            ["LOG_LISTENER_CONN_SUCCESS"] = "True",
        };
        var configPath = Path.Combine(dir, "conf", "carbon.conf");
        await File.WriteAllTextAsync(configPath, "[relay]\n" + string.Concat(settings.Select(kv => $"{kv.Key} = {kv.Value}\n"))).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(dir, "conf", "storage-schemas.conf"), "[everything]\npattern = .*\nretentions = 1s:1h\n").ConfigureAwait(false);
        var relay = new CarbonRelayServer(
            true,
            dir,
            caches,
            linePort,
            pickleListenPort,
            configPath,
            Path.Combine(dir, "run", "carbon-relay-a.pid"),
            Path.Combine(dir, "log", "carbon-relay-a", "console.log"));
        return await relay.FirstStartAsync().ConfigureAwait(false);
    }

    /// <summary>The caches whose whisper directory holds a file for <paramref name="metric"/> (with replication 1: exactly one, once written).</summary>
    /// <param name="metric">The name as sent (after any rewriting by the relay).</param>
    /// <returns>The caches holding it.</returns>
    public IReadOnlyList<CarbonCacheServer> CachesHolding(string metric)
        => [.. Caches.Where(c => File.Exists(c.WhisperPath(metric)))];

    /// <summary>The relay's main log (see <see cref="LogPath"/>), or "" when missing.</summary>
    /// <returns>The log text.</returns>
    public string ReadLog()
    {
        try
        {
            return ProcessRunner.ReadShared(LogPath);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>SIGKILL the relay; whatever it has queued is lost.</summary>
    /// <returns>Completes when it is gone.</returns>
    public Task KillAsync() => daemon.KillAsync();

    /// <summary>SIGTERM, then SIGKILL after 10 s.</summary>
    /// <returns>Completes when it is gone.</returns>
    public Task StopAsync() => daemon.StopAsync(StopGrace);

    /// <summary>Starts the relay again on the same ports and configuration.</summary>
    /// <returns>Completes when its ports listen.</returns>
    public Task StartAgainAsync()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return daemon.StartAsync(launcher, arguments, NotListening, StartTimeout);
    }

    /// <summary>Kills the relay and deletes its directory (unless <c>AIOGRAPHITE_KEEP_TEST_DIRS=1</c>). The caches are left alone.</summary>
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
        => $"{(IsPythonRelay ? "carbon-relay" : "carbon-c-relay")} pid {Pid} line/udp {LinePort}{(IsPythonRelay ? $" pickle {picklePort}" : string.Empty)} -> {string.Join(", ", Caches.Select((c, i) => $"{InstanceName(i)}={c.LinePort}"))}";

    private static void CheckCaches(IReadOnlyList<CarbonCacheServer> caches)
    {
        ArgumentNullException.ThrowIfNull(caches);
        if (caches.Count == 0)
        {
            throw new ArgumentException("a relay needs at least one cache", nameof(caches));
        }
    }

    private async Task<CarbonRelayServer> FirstStartAsync()
    {
        try
        {
            await daemon.StartAsync(launcher, arguments, NotListening, StartTimeout).ConfigureAwait(false);
            return this;
        }
        catch
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private List<string> NotListening()
    {
        var missing = new List<string>();
        var tcp = ProcNet.TcpListeningPorts();
        if (!tcp.Contains(LinePort))
        {
            missing.Add($"line tcp 127.0.0.1:{LinePort}");
        }

        if (!ProcNet.IsUdpBound(UdpPort))
        {
            missing.Add($"udp 127.0.0.1:{UdpPort}");
        }

        if (IsPythonRelay && !tcp.Contains(picklePort))
        {
            missing.Add($"pickle tcp 127.0.0.1:{picklePort}");
        }

        return missing;
    }
}
