using System.Globalization;

namespace AioGraphite.TestUtilities.Tls;

/// <summary>
/// A real TLS terminator: carbon-c-relay's <c>ssl</c> listener (Debian's 3.7.3, built with OpenSSL) on a free loopback
/// port, forwarding every line to one carbon-cache (<c>cluster c forward</c>). Line protocol only; no client certificates
/// (3.7.3 cannot check them). carbon-c-relay holds what it read in memory until it forwards it: killing it loses that.
/// </summary>
public sealed class CRelayTlsServer : TlsTerminator
{
    // -s: submission mode (no self-metrics); -D daemonise; -P pidfile; -l log (absolute path)
    private CRelayTlsServer(string directory, int port, string configPath, string pidFile, string logPath)
        : base("carbon-c-relay (ssl)", directory, CarbonInstallation.CarbonCRelay, ["-f", configPath, "-s", "-w", "2", "-D", "-P", pidFile, "-l", logPath], pidFile, logPath)
    {
        Port = port;
    }

    /// <summary>The TLS port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>
    /// Starts <c>carbon-c-relay</c> with <c>listen type linemode transport plain ssl CERT+KEY 127.0.0.1:PORT proto tcp</c>
    /// forwarding to <paramref name="cache"/>'s line port.
    /// </summary>
    /// <param name="cache">The running carbon-cache.</param>
    /// <param name="certificate">The server certificate (its combined certificate + key file is used).</param>
    /// <returns>The running relay; dispose it (the cache is left alone).</returns>
    public static async Task<CRelayTlsServer> StartAsync(CarbonCacheServer cache, TestCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(certificate);
        await CarbonInstallation.EnsureInstalledAsync().ConfigureAwait(false);
        string dir = TestDirectory.Create("carbon-c-relay-ssl");
        int port = FreePorts.AllocateTcp();
        string config = string.Create(
            CultureInfo.InvariantCulture,
            $"cluster c\n    forward\n        127.0.0.1:{cache.LinePort}\n    ;\n\nlisten\n    type linemode transport plain ssl {certificate.CombinedPath}\n        127.0.0.1:{port} proto tcp\n    ;\n\nmatch *\n    send to c\n    stop\n    ;\n");
        string configPath = Path.Combine(dir, "relay.conf");
        await File.WriteAllTextAsync(configPath, config).ConfigureAwait(false);
        var relay = new CRelayTlsServer(dir, port, configPath, Path.Combine(dir, "relay.pid"), Path.Combine(dir, "relay.log"));
        try
        {
            await relay.LaunchAsync().ConfigureAwait(false);
            return relay;
        }
        catch
        {
            await relay.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"carbon-c-relay (ssl) pid {Pid} port {Port}";

    private protected override List<string> NotListening() => ProcNet.TcpListeningPorts().Contains(Port) ? [] : [$"tls tcp 127.0.0.1:{Port}"];
}
