using AioGraphite.IntegrationTests.Infrastructure;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Tls;

/// <summary>
/// Points reach a real carbon-cache through real TLS terminators, stored exactly: carbon-c-relay's ssl listener
/// (plaintext lines) and stunnel with mutual TLS (plaintext and pickle, TLS 1.3 and TLS 1.2), with the delivery receipt
/// (WaitForDeliveryAsync) and the kernel's evidence under the TLS stream.
/// </summary>
public sealed class TlsDeliveryTests(TlsTerminators tls) : IClassFixture<TlsTerminators>
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CarbonCacheServer Carbon => tls.Carbon;

    [Fact]
    public async Task CRelaySslListener_Plaintext_EveryPointStoredExactly()
    {
        var options = new GraphiteClientOptions { Tls = tls.ServerAuthenticated };
        await AssertDeliveredAsync("it.tls.crelay", tls.Relay.Port, new PlaintextProtocol(), options);
    }

    [Theory]
    [InlineData(TlsTerminators.MutualLine, "plaintext")]
    [InlineData(TlsTerminators.MutualPickle, "pickle")]
    [InlineData(TlsTerminators.MutualLineTls12, "plaintext")]
    public async Task StunnelMutualTls_EveryPointStoredExactly(string service, string protocol)
    {
        var options = new GraphiteClientOptions { Tls = tls.Mutual };
        IGraphiteProtocol p = protocol == "pickle" ? new PickleProtocol() : new PlaintextProtocol();
        await AssertDeliveredAsync($"it.tls.{service.Replace('-', '_')}", tls.Stunnel.Port(service), p, options);
    }

    [Fact]
    public async Task PinnedPublicKeyAndCertificateFingerprint_AreAccepted()
    {
        var options = new GraphiteClientOptions
        {
            Tls = tls.ServerAuthenticated with { PinnedSha256 = ["sha256//" + tls.Certificates.Server.PublicKeySha256] },
        };
        await AssertDeliveredAsync("it.tls.pinkey", tls.Stunnel.Port(TlsTerminators.ServerOnlyLine), new PlaintextProtocol(), options);
        options = options with { Tls = options.Tls! with { PinnedSha256 = [tls.Certificates.Server.CertificateFingerprint] } };
        await AssertDeliveredAsync("it.tls.pincert", tls.Stunnel.Port(TlsTerminators.ServerOnlyLine), new PlaintextProtocol(), options);
    }

    [Fact]
    public async Task TargetHostLocalhost_MatchesTheDnsName()
    {
        var options = new GraphiteClientOptions { Tls = tls.ServerAuthenticated with { TargetHost = "localhost" } };
        await AssertDeliveredAsync("it.tls.sni", tls.Relay.Port, new PlaintextProtocol(), options);
    }

    [Fact]
    public async Task ShardedOverTwoTlsDestinations_EachGetsItsOwnTlsConnection()
    {
        // Two terminators in front of the same carbon: each destination has its own handshake, and every point lands.
        GraphiteDestination[] destinations =
        [
            new("127.0.0.1", tls.Relay.Port, "a"),
            new("localhost", tls.Stunnel.Port(TlsTerminators.MutualLine), "b"),
        ];
        long start = Wire.Now() - 600;
        Datapoint[] points = [.. Enumerable.Range(0, 40).Select(i => new Datapoint($"it.tls.shard.m{i:D2}", i + 0.5, start))];
        var options = new GraphiteClientOptions { Tls = tls.Mutual };
        await using (var client = await GraphiteClient.ConnectAsync(destinations, new PlaintextProtocol(), options, Ct))
        {
            await client.SendMultipleAsync(points, cancellationToken: Ct);
            await client.WaitForDeliveryAsync(Ct).WaitAsync(StoreTimeout, Ct);
            Assert.True(client.GetDestinationStatistics(0).PointsDelivered > 0, "destination a (carbon-c-relay) got no point");
            Assert.True(client.GetDestinationStatistics(1).PointsDelivered > 0, "destination b (stunnel) got no point");
            Assert.Equal(40, client.Statistics.PointsDelivered);
        }

        foreach (Datapoint point in points)
        {
            Assert.Equal([(start, point.Value)], await Carbon.WaitForPointsAsync(point.Metric, 1, StoreTimeout));
        }
    }

    [Fact]
    public async Task KernelEvidenceUnderTls_CountsPointsDeliveredBeforeAnyReceipt()
    {
        // 200,000 points (~10 MB): stunnel reads them as they come, so TCP_INFO under the TLS stream, mapped back to the
        // plaintext offsets, reports them consumed without the end-of-stream receipt.
        long start = Wire.Now() - 900;
        var options = new GraphiteClientOptions { Tls = tls.Mutual, FullBufferPolicy = FullBufferPolicy.Wait };
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", tls.Stunnel.Port(TlsTerminators.MutualPickle), new PickleProtocol(), options, Ct);
        var batch = new Datapoint[1000];
        for (int step = 0; step < 200; step++)
        {
            for (int m = 0; m < batch.Length; m++)
            {
                batch[m] = new Datapoint($"it.tls.evidence.m{m:D4}", step, start + step);
            }

            await client.SendMultipleAsync(batch, cancellationToken: Ct);
        }

        await client.FlushAsync(Ct);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (client.Statistics.PointsDelivered < 150_000 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        GraphiteClientStatistics before = client.Statistics;
        Assert.True(before.PointsDelivered >= 150_000, $"the kernel's evidence should count most points delivered before the receipt: {before}");
        await client.WaitForDeliveryAsync(Ct).WaitAsync(StoreTimeout, Ct);
        Assert.Equal(200_000, client.Statistics.PointsDelivered);
        Assert.Equal(200, (await Carbon.WaitForPointsAsync("it.tls.evidence.m0999", 200, StoreTimeout)).Count);
    }

    private async Task AssertDeliveredAsync(string prefix, int port, IGraphiteProtocol protocol, GraphiteClientOptions options)
    {
        // Values a lossy path would change, 10 series x 20 timestamps.
        long start = Wire.Now() - 300;
        double[] values = [0.1, 1.0 / 3, -123.456, 5e-324, 1e300, -0.0, 42, 1e16 + 2, 2.5e-7, 0.30000000000000004];
        Datapoint[] points = [.. Enumerable.Range(0, 200).Select(i => new Datapoint($"{prefix}.v{i % 10}", values[i % 10] + (i / 10), start + (i / 10)))];
        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", port, protocol, options, Ct))
        {
            await client.SendMultipleAsync(points, cancellationToken: Ct);
            await client.WaitForDeliveryAsync(Ct).WaitAsync(StoreTimeout, Ct);
            Assert.Equal(200, client.Statistics.PointsDelivered);
        }

        foreach (IGrouping<string, Datapoint> series in points.GroupBy(p => p.Metric))
        {
            var stored = await Carbon.WaitForPointsAsync(series.Key, 20, StoreTimeout);
            Assert.Equal(series.Select(p => (p.Timestamp!.Value, BitConverter.DoubleToInt64Bits(p.Value))), stored.Select(s => (s.Timestamp, BitConverter.DoubleToInt64Bits(s.Value))));
        }
    }
}
