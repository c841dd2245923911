using System.Globalization;
using System.Text;

namespace AioGraphite.TestUtilities.Tls;

/// <summary>
/// A real TLS terminator: Debian's <c>stunnel4</c> (5.68) on free loopback ports, one port per <see cref="StunnelService"/>,
/// each forwarding the decrypted stream to a carbon port. TLS 1.2 at least; mutual TLS where the service names a client CA.
/// Installed by <c>scripts/install-carbon.sh</c>.
/// </summary>
public sealed class StunnelServer : TlsTerminator
{
    /// <summary>The stunnel binary of Debian's stunnel4 package.</summary>
    public const string Binary = CarbonInstallation.Stunnel;

    private readonly Dictionary<string, int> ports;

    private StunnelServer(string directory, Dictionary<string, int> ports, string configPath, string pidFile, string logPath)
        : base("stunnel", directory, Binary, [configPath], pidFile, logPath)
    {
        this.ports = ports;
    }

    /// <summary>Starts stunnel with the given services and waits until every TLS port listens.</summary>
    /// <param name="services">The services (distinct names).</param>
    /// <returns>The running server; dispose it.</returns>
    /// <exception cref="InvalidOperationException">stunnel4 is not installed (the message says what to run) or did not start (the message has its log).</exception>
    public static async Task<StunnelServer> StartAsync(IReadOnlyList<StunnelService> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        await CarbonInstallation.EnsureInstalledAsync().ConfigureAwait(false);
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing although scripts/install-carbon.sh ran. Install it with:\n  sudo apt-get install -y --no-install-recommends stunnel4\nthen run the tests again.");
        }

        string dir = TestDirectory.Create("stunnel");
        var servicePorts = new Dictionary<string, int>(StringComparer.Ordinal);
        string pidFile = Path.Combine(dir, "stunnel.pid");
        string logPath = Path.Combine(dir, "stunnel.log");
        var config = new StringBuilder();
        config.Append(CultureInfo.InvariantCulture, $"foreground = no\npid = {pidFile}\noutput = {logPath}\ndebug = 5\nsyslog = no\n\n");
        foreach (StunnelService service in services)
        {
            int port = FreePorts.AllocateTcp();
            servicePorts.Add(service.Name, port);
            config.Append(CultureInfo.InvariantCulture, $"[{service.Name}]\naccept = 127.0.0.1:{port}\nconnect = 127.0.0.1:{service.ConnectPort}\n");
            config.Append(CultureInfo.InvariantCulture, $"cert = {service.Certificate.CertificatePath}\nkey = {service.Certificate.KeyPath}\nsslVersionMin = TLSv1.2\n");
            if (service.MaxTlsVersion is not null)
            {
                config.Append(CultureInfo.InvariantCulture, $"sslVersionMax = {service.MaxTlsVersion}\n");
            }

            if (service.ClientCaPath is not null)
            {
                config.Append(CultureInfo.InvariantCulture, $"CAfile = {service.ClientCaPath}\nverifyChain = yes\nrequireCert = yes\n");
            }

            config.Append('\n');
        }

        string configFile = Path.Combine(dir, "stunnel.conf");
        await File.WriteAllTextAsync(configFile, config.ToString()).ConfigureAwait(false);
        var server = new StunnelServer(dir, servicePorts, configFile, pidFile, logPath);
        try
        {
            await server.LaunchAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The TLS port of a service.</summary>
    /// <param name="service">Its name.</param>
    /// <returns>The port on 127.0.0.1.</returns>
    public int Port(string service) => ports[service];

    /// <inheritdoc/>
    public override string ToString() => $"stunnel pid {Pid} {string.Join(", ", ports.Select(p => $"[{p.Key}] {p.Value}"))}";

    private protected override List<string> NotListening()
    {
        var tcp = ProcNet.TcpListeningPorts();
        return [.. ports.Where(p => !tcp.Contains(p.Value)).Select(p => $"[{p.Key}] tcp 127.0.0.1:{p.Value}")];
    }
}
