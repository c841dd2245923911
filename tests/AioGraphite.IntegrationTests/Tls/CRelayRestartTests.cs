using AioGraphite.TestUtilities;
using AioGraphite.TestUtilities.Tls;
using Xunit;

namespace AioGraphite.IntegrationTests.Tls;

/// <summary>
/// carbon-c-relay's ssl listener killed (SIGKILL, losing what it had read and not yet forwarded) and restarted in the
/// middle of a stream: a new handshake, the replay, and every point ends up in whisper.
/// </summary>
public sealed class CRelayRestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TerminatorKilledMidStream_EveryPointEndsUpInWhisper()
    {
        using TestCertificates certs = TestCertificates.Create();
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await using CRelayTlsServer relay = await CRelayTlsServer.StartAsync(carbon, certs.Server);
        var tls = new GraphiteTlsOptions { CaBundlePath = certs.Ca.CertificatePath };
        GraphiteClientStatistics stats = await TlsStream.RunAsync("tlsrestart.crelay", relay.Port, new PlaintextProtocol(), tls, async () =>
        {
            await relay.KillAsync();
            await Task.Delay(1000, Ct);
            await relay.StartAgainAsync();
        });
        await TlsStream.AssertAllStoredAsync(carbon, "tlsrestart.crelay");
        Assert.True(stats.Reconnects >= 1, $"expected a reconnect (a new handshake): {stats}");
        Assert.True(stats.PointsReplayed > 0, $"expected replayed points: {stats}");
        Assert.Equal(0, stats.PointsDropped);
    }
}
