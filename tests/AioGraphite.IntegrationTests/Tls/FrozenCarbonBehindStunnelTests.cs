using AioGraphite.TestUtilities;
using AioGraphite.TestUtilities.Tls;
using Xunit;

namespace AioGraphite.IntegrationTests.Tls;

/// <summary>
/// A frozen carbon (SIGSTOP) behind a running stunnel: stunnel still reads, but its close after our end of stream comes
/// only after carbon's, so WaitForDeliveryAsync does not complete until carbon runs again (a class of its own, to run in
/// parallel with <see cref="FrozenTerminatorTests"/>).
/// </summary>
public sealed class FrozenCarbonBehindStunnelTests
{
    [Fact]
    public async Task FrozenCarbonBehindStunnel_IsNotDelivered_UntilItRunsAgain()
    {
        using TestCertificates certs = TestCertificates.Create();
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await using StunnelServer stunnel = await StunnelServer.StartAsync([new StunnelService("mtls", carbon.LinePort, certs.Server, certs.Ca.CertificatePath)]);
        await FrozenTerminatorTests.AssertFrozenNotDeliveredAsync(carbon, stunnel.Port("mtls"), FrozenTerminatorTests.Mutual(certs), "it.tlsfrozen.carbon", () => FrozenTerminatorTests.Signal(carbon.Pid, "STOP"), () => FrozenTerminatorTests.Signal(carbon.Pid, "CONT"));
    }
}
