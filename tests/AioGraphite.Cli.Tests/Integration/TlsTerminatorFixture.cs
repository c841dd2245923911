using AioGraphite.TestUtilities.Tls;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>stunnel in front of the shared carbon-cache: <c>tls</c> (server certificate only), <c>mtls</c> (a client certificate required), <c>untrusted</c> (a certificate from another CA).</summary>
public sealed class TlsTerminatorFixture(CarbonFixture carbon) : IAsyncLifetime
{
    private StunnelServer? stunnel;

    public TestCertificates Certificates { get; } = TestCertificates.Create();

    public StunnelServer Stunnel => stunnel ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync() => stunnel = await StunnelServer.StartAsync(
    [
        new StunnelService("tls", carbon.Server.LinePort, Certificates.Server),
        new StunnelService("mtls", carbon.Server.PicklePort, Certificates.Server, Certificates.Ca.CertificatePath),
        new StunnelService("untrusted", carbon.Server.LinePort, Certificates.ServerFromOtherCa),
    ]);

    public async ValueTask DisposeAsync()
    {
        if (stunnel is not null)
        {
            await stunnel.DisposeAsync();
        }

        Certificates.Dispose();
    }
}
