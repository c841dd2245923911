using AioGraphite.IntegrationTests.Infrastructure;
using AioGraphite.TestUtilities;
using AioGraphite.TestUtilities.Tls;
using Xunit;

namespace AioGraphite.IntegrationTests.Tls;

/// <summary>
/// A terminator that is frozen (SIGSTOP) while points reach its kernel and then dies (SIGKILL) never read them, although
/// its kernel acknowledged them and, on a young connection, its growing window made them look consumed: every point is
/// written again after the reconnect and ends up in whisper (a class of its own, to run in parallel with the other frozen
/// cases).
/// </summary>
public sealed class FrozenTerminatorKilledTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FrozenStunnelKilled_BeforeItRead_EveryPointIsReplayed_AndStored()
    {
        using TestCertificates certs = TestCertificates.Create();
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await using StunnelServer stunnel = await StunnelServer.StartAsync([new StunnelService("mtls", carbon.LinePort, certs.Server, certs.Ca.CertificatePath)]);
        const string prefix = "it.tlsfrozenkilled";
        long start = Wire.Now() - 600;
        GraphiteClientOptions options = FrozenTerminatorTests.QuickOptions(FrozenTerminatorTests.Mutual(certs));
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", stunnel.Port("mtls"), new PlaintextProtocol(), options, Ct);
        // The receipt of the first point ends its connection; the second point is written on the next one, whose TLS
        // handshake is then done, so what follows reaches the frozen terminator's kernel.
        await client.SendAsync($"{prefix}.before", 1, start, Ct);
        await client.WaitForDeliveryAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await client.SendAsync($"{prefix}.before", 2, start + 1, Ct);
        await Poll.UntilAsync(() => client.Statistics.PointsWritten == 2, TimeSpan.FromSeconds(10), () => $"the second point written: {client.Statistics}");

        stunnel.Freeze();
        Datapoint[] points = [.. Enumerable.Range(0, 500).Select(i => new Datapoint($"{prefix}.m{i % 10}", i, start + 1 + (i / 10)))];
        await client.SendMultipleAsync(points, cancellationToken: Ct);
        await Poll.UntilAsync(() => client.Statistics.PointsWritten == 502, TimeSpan.FromSeconds(10), () => $"the 500 points written: {client.Statistics}");
        await Task.Delay(300, Ct); // acknowledged by stunnel's kernel, perhaps counted as consumed: never read
        await stunnel.KillAsync();
        await stunnel.StartAgainAsync();

        await client.WaitForDeliveryAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        for (int m = 0; m < 10; m++)
        {
            IReadOnlyList<(long Timestamp, double Value)> stored = await carbon.WaitForPointsAsync($"{prefix}.m{m}", 50, TimeSpan.FromSeconds(30));
            Assert.Equal(Enumerable.Range(0, 50).Select(k => (double)(m + (10 * k))), stored.Select(p => p.Value));
        }

        Assert.True(client.Statistics.Reconnects >= 1, $"expected a reconnect after the kill: {client.Statistics}");
        Assert.True(client.Statistics.PointsReplayed >= 500, $"expected the 500 points written to the frozen terminator to be written again: {client.Statistics}");
        Assert.Equal(0, client.Statistics.PointsDropped);
    }
}
