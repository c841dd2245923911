using AioGraphite.TestUtilities;
using AioGraphite.TestUtilities.Tls;
using Xunit;

namespace AioGraphite.IntegrationTests.Tls;

/// <summary>stunnel (mutual TLS, pickle) killed and restarted in the middle of a stream: every point ends up in whisper.</summary>
public sealed class StunnelRestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MutualTlsTerminatorKilledMidStream_OverPickle_EveryPointEndsUpInWhisper()
    {
        using TestCertificates certs = TestCertificates.Create();
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await using StunnelServer stunnel = await StunnelServer.StartAsync([new StunnelService("mtls", carbon.PicklePort, certs.Server, certs.Ca.CertificatePath)]);
        var tls = new GraphiteTlsOptions
        {
            CaBundlePath = certs.Ca.CertificatePath,
            ClientCertificatePath = certs.Client.CertificatePath,
            ClientKeyPath = certs.Client.KeyPath,
        };
        GraphiteClientStatistics stats = await TlsStream.RunAsync("tlsrestart.stunnel", stunnel.Port("mtls"), new PickleProtocol(), tls, async () =>
        {
            await stunnel.KillAsync();
            await Task.Delay(1000, Ct);
            await stunnel.StartAgainAsync();
        });
        await TlsStream.AssertAllStoredAsync(carbon, "tlsrestart.stunnel");
        Assert.True(stats.Reconnects >= 1, $"expected a reconnect (a new handshake): {stats}");
        Assert.Equal(0, stats.PointsDropped);
    }
}
