using AioGraphite.TestUtilities;
using AioGraphite.TestUtilities.Tls;
using Xunit;

namespace AioGraphite.IntegrationTests.Tls;

/// <summary>
/// One carbon-cache behind real TLS terminators, with a throw-away PKI: carbon-c-relay's ssl listener (line protocol) and
/// stunnel with mutual TLS to the line and pickle ports (TLS 1.3, and TLS 1.2 only).
/// </summary>
public sealed class TlsTerminators : IAsyncLifetime
{
    public const string MutualLine = "mtls-line";
    public const string MutualPickle = "mtls-pickle";
    public const string MutualLineTls12 = "mtls-line-tls12";
    public const string ServerOnlyLine = "tls-line";

    private CarbonCacheServer? carbon;
    private CRelayTlsServer? relay;
    private StunnelServer? stunnel;

    public TestCertificates Certificates { get; } = TestCertificates.Create();

    public CarbonCacheServer Carbon => carbon ?? throw new InvalidOperationException("not started");

    public CRelayTlsServer Relay => relay ?? throw new InvalidOperationException("not started");

    public StunnelServer Stunnel => stunnel ?? throw new InvalidOperationException("not started");

    /// <summary>Trust the test CA, no client certificate.</summary>
    public GraphiteTlsOptions ServerAuthenticated => new() { CaBundlePath = Certificates.Ca.CertificatePath };

    /// <summary>Trust the test CA and present the test client certificate.</summary>
    public GraphiteTlsOptions Mutual => ServerAuthenticated with
    {
        ClientCertificatePath = Certificates.Client.CertificatePath,
        ClientKeyPath = Certificates.Client.KeyPath,
    };

    public async ValueTask InitializeAsync()
    {
        carbon = await CarbonCacheServer.StartAsync();
        Task<CRelayTlsServer> relayStart = CRelayTlsServer.StartAsync(carbon, Certificates.Server);
        Task<StunnelServer> stunnelStart = StunnelServer.StartAsync(
        [
            new StunnelService(MutualLine, carbon.LinePort, Certificates.Server, Certificates.Ca.CertificatePath),
            new StunnelService(MutualPickle, carbon.PicklePort, Certificates.Server, Certificates.Ca.CertificatePath),
            new StunnelService(MutualLineTls12, carbon.LinePort, Certificates.Server, Certificates.Ca.CertificatePath, "TLSv1.2"),
            new StunnelService(ServerOnlyLine, carbon.LinePort, Certificates.Server),
        ]);
        relay = await relayStart;
        stunnel = await stunnelStart;
    }

    public async ValueTask DisposeAsync()
    {
        if (stunnel is not null)
        {
            await stunnel.DisposeAsync();
        }

        if (relay is not null)
        {
            await relay.DisposeAsync();
        }

        if (carbon is not null)
        {
            await carbon.DisposeAsync();
        }

        Certificates.Dispose();
    }
}
