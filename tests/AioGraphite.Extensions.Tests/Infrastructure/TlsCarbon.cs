using AioGraphite.TestUtilities;
using AioGraphite.TestUtilities.Tls;
using Xunit;

namespace AioGraphite.Extensions.Tests.Infrastructure;

/// <summary>A carbon-cache behind stunnel with mutual TLS (service <c>mtls</c>, line protocol), and the test PKI.</summary>
public sealed class TlsCarbon : IAsyncLifetime
{
    private CarbonCacheServer? carbon;
    private StunnelServer? stunnel;

    public TestCertificates Certificates { get; } = TestCertificates.Create();

    public CarbonCacheServer Carbon => carbon ?? throw new InvalidOperationException("not started");

    public int Port => (stunnel ?? throw new InvalidOperationException("not started")).Port("mtls");

    public async ValueTask InitializeAsync()
    {
        carbon = await CarbonCacheServer.StartAsync();
        stunnel = await StunnelServer.StartAsync([new StunnelService("mtls", carbon.LinePort, Certificates.Server, Certificates.Ca.CertificatePath)]);
    }

    public async ValueTask DisposeAsync()
    {
        if (stunnel is not null)
        {
            await stunnel.DisposeAsync();
        }

        if (carbon is not null)
        {
            await carbon.DisposeAsync();
        }

        Certificates.Dispose();
    }
}
