using AioGraphite.IntegrationTests.Infrastructure;
using AioGraphite.TestUtilities;
using AioGraphite.TestUtilities.Tls;
using Xunit;

namespace AioGraphite.IntegrationTests.Tls;

/// <summary>
/// Delivery over TLS: the kernel's evidence under the TLS stream is the terminator's (what stunnel read), the end-of-stream
/// receipt is stunnel's close, which comes only after carbon closed its side. So neither a frozen terminator (SIGSTOP) nor
/// a frozen carbon behind stunnel ever completes WaitForDeliveryAsync; once it runs again the receipt comes and every point
/// is stored. The statistics' delivered count is not asserted while frozen: on a young connection the terminator's
/// window grows as the first kilobytes arrive (65,536 to 105,472 bytes measured here) whether or not it reads them, so
/// TCP cannot tell those bytes from consumed ones (they stay retained for replay; see docs/architecture.md).
/// </summary>
public sealed class FrozenTerminatorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FrozenStunnel_IsNotDelivered_UntilItRunsAgain()
    {
        using TestCertificates certs = TestCertificates.Create();
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await using StunnelServer stunnel = await StunnelServer.StartAsync([new StunnelService("mtls", carbon.LinePort, certs.Server, certs.Ca.CertificatePath)]);
        await AssertFrozenNotDeliveredAsync(carbon, stunnel.Port("mtls"), Mutual(certs), "it.tlsfrozen.stunnel", stunnel.Freeze, stunnel.Resume);
    }

    internal static GraphiteTlsOptions Mutual(TestCertificates certs) => new()
    {
        CaBundlePath = certs.Ca.CertificatePath,
        ClientCertificatePath = certs.Client.CertificatePath,
        ClientKeyPath = certs.Client.KeyPath,
    };

    /// <summary>TLS with short dead-peer, connect and reconnect times, so a frozen or killed terminator is noticed in seconds.</summary>
    internal static GraphiteClientOptions QuickOptions(GraphiteTlsOptions tls) => new()
    {
        Tls = tls,
        DeadPeerTimeout = TimeSpan.FromSeconds(1),
        ConnectTimeout = TimeSpan.FromSeconds(1),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
    };

    internal static void Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("/bin/kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    internal static async Task AssertFrozenNotDeliveredAsync(CarbonCacheServer carbon, int port, GraphiteTlsOptions tls, string prefix, Action freeze, Action resume)
    {
        long start = Wire.Now() - 600;
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", port, new PlaintextProtocol(), QuickOptions(tls), Ct);
        await client.SendAsync($"{prefix}.before", 1, start, Ct);
        await client.WaitForDeliveryAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.Equal(1, client.Statistics.PointsDelivered);

        freeze();
        try
        {
            Datapoint[] points = [.. Enumerable.Range(0, 500).Select(i => new Datapoint($"{prefix}.m{i % 10}", i, start + 1 + (i / 10)))];
            await client.SendMultipleAsync(points, cancellationToken: Ct);
            Task delivered = client.WaitForDeliveryAsync(Ct);
            await Assert.ThrowsAsync<TimeoutException>(() => delivered.WaitAsync(TimeSpan.FromSeconds(2), Ct));
        }
        finally
        {
            resume();
        }

        await client.WaitForDeliveryAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(501, client.Statistics.PointsDelivered);
        for (int m = 0; m < 10; m++)
        {
            Assert.Equal(50, (await carbon.WaitForPointsAsync($"{prefix}.m{m}", 50, TimeSpan.FromSeconds(30))).Count);
        }
    }
}
