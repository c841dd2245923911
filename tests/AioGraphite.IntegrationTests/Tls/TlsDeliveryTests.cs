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
    public async Task ThroughEveryTerminator_EveryPointStoredExactly()
    {
        // All at once (each case its own series): carbon-c-relay's ssl listener; stunnel with mutual TLS over plaintext,
        // pickle and TLS 1.2 only; a target host naming the certificate's DNS name; pins of the public key and of the
        // whole certificate.
        GraphiteTlsOptions server = tls.ServerAuthenticated;
        GraphiteTlsOptions mutual = tls.Mutual;
        int serverOnly = tls.Stunnel.Port(TlsTerminators.ServerOnlyLine);
        (string Name, int Port, IGraphiteProtocol Protocol, GraphiteTlsOptions Tls)[] cases =
        [
            ("crelay", tls.Relay.Port, new PlaintextProtocol(), server),
            ("stunnel_mtls_line", tls.Stunnel.Port(TlsTerminators.MutualLine), new PlaintextProtocol(), mutual),
            ("stunnel_mtls_pickle", tls.Stunnel.Port(TlsTerminators.MutualPickle), new PickleProtocol(), mutual),
            ("stunnel_mtls_tls12", tls.Stunnel.Port(TlsTerminators.MutualLineTls12), new PlaintextProtocol(), mutual),
            ("target_host", tls.Relay.Port, new PlaintextProtocol(), server with { TargetHost = "localhost" }),
            ("pin_key", serverOnly, new PlaintextProtocol(), server with { PinnedSha256 = ["sha256//" + tls.Certificates.Server.PublicKeySha256] }),
            ("pin_certificate", serverOnly, new PlaintextProtocol(), server with { PinnedSha256 = [tls.Certificates.Server.CertificateFingerprint] }),
        ];
        await Task.WhenAll(cases.Select(c => AssertDeliveredAsync($"it.tls.{c.Name}", c.Port, c.Protocol, new GraphiteClientOptions { Tls = c.Tls })));
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
        // 100,000 points (~5 MB, 100 series): stunnel reads them as they come, so TCP_INFO under the TLS stream, mapped
        // back to the plaintext offsets, reports them consumed without the end-of-stream receipt.
        long start = Wire.Now() - 1500;
        var options = new GraphiteClientOptions { Tls = tls.Mutual, FullBufferPolicy = FullBufferPolicy.Wait };
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", tls.Stunnel.Port(TlsTerminators.MutualPickle), new PickleProtocol(), options, Ct);
        var batch = new Datapoint[100];
        for (int step = 0; step < 1000; step++)
        {
            for (int m = 0; m < batch.Length; m++)
            {
                batch[m] = new Datapoint($"it.tls.evidence.m{m:D3}", step, start + step);
            }

            await client.SendMultipleAsync(batch, cancellationToken: Ct);
        }

        await client.FlushAsync(Ct);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (client.Statistics.PointsDelivered < 75_000 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        GraphiteClientStatistics before = client.Statistics;
        Assert.True(before.PointsDelivered >= 75_000, $"the kernel's evidence should count most points delivered before the receipt: {before}");
        await client.WaitForDeliveryAsync(Ct).WaitAsync(StoreTimeout, Ct);
        Assert.Equal(100_000, client.Statistics.PointsDelivered);
        Assert.Equal(1000, (await Carbon.WaitForPointsAsync("it.tls.evidence.m099", 1000, StoreTimeout)).Count);
    }

    private async Task AssertDeliveredAsync(string prefix, int port, IGraphiteProtocol protocol, GraphiteClientOptions options)
    {
        try
        {
            await DeliverAndCheckAsync(prefix, port, protocol, options);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"{prefix} through port {port} ({protocol}): {ex.Message}", ex);
        }
    }

    private async Task DeliverAndCheckAsync(string prefix, int port, IGraphiteProtocol protocol, GraphiteClientOptions options)
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
