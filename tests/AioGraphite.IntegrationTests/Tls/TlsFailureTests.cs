using AioGraphite.IntegrationTests.Infrastructure;
using AioGraphite.TestUtilities;
using AioGraphite.TestUtilities.Tls;
using Xunit;

namespace AioGraphite.IntegrationTests.Tls;

/// <summary>
/// Every way a TLS connection must be refused, against real stunnel and carbon: an untrusted, expired or wrongly named
/// server certificate, a pin that does not match, a server that does not speak TLS, a client certificate missing or
/// from the wrong CA where stunnel requires one. Each is a GraphiteException naming host, port and the reason, and
/// nothing ever reaches carbon (no point is written before a handshake succeeds, and none is written in the clear).
/// </summary>
public sealed class TlsFailureTests(TlsFailureTests.Terminators servers) : IClassFixture<TlsFailureTests.Terminators>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Cases() =>
    [
        "untrusted", "untrusted-system-store", "expired", "wrong-name", "pin-mismatch", "callback-rejects",
        "not-tls-line-port", "not-tls-pickle-port", "no-client-cert-tls13", "no-client-cert-tls12", "client-cert-other-ca",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ConnectAsync_IsRefusedWithTheReason(string name)
    {
        (int port, GraphiteTlsOptions options, string[] reason) = Case(name);
        var clientOptions = new GraphiteClientOptions { Tls = options, ConnectTimeout = TimeSpan.FromSeconds(3) };
        GraphiteException ex = await Assert.ThrowsAsync<GraphiteException>(() => GraphiteClient.ConnectAsync("127.0.0.1", port, new PlaintextProtocol(), clientOptions, Ct));
        TestContext.Current.TestOutputHelper?.WriteLine(ex.Message);
        Assert.Equal("127.0.0.1", ex.Host);
        Assert.Equal(port, ex.Port);
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        foreach (string part in reason)
        {
            Assert.Contains(part, ex.Message, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain("PRIVATE KEY", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\n", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LazyClients_NeverWriteAPoint_AndCarbonStoresNothing()
    {
        // A client that connects in the background keeps failing the same way: its points stay buffered, nothing is
        // written (in the clear or otherwise), carbon stores nothing.
        long now = Wire.Now();
        var clients = new List<GraphiteClient>();
        foreach (string name in Cases())
        {
            (int port, GraphiteTlsOptions options, _) = Case(name);
            var client = GraphiteClient.Create("127.0.0.1", port, new PlaintextProtocol(), new GraphiteClientOptions
            {
                Tls = options,
                ConnectTimeout = TimeSpan.FromSeconds(1),
                ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
                ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
            });
            clients.Add(client);
            for (int i = 0; i < 10; i++)
            {
                await client.SendAsync($"it.tlsfail.{name.Replace('-', '_')}.m{i}", i, now - 10, Ct);
            }

            _ = client.FlushAsync(Ct);
        }

        await Task.Delay(1500, Ct);
        foreach (GraphiteClient client in clients)
        {
            GraphiteClientStatistics stats = client.Statistics;
            Assert.True(stats.PointsWritten == 0 && stats.BytesWritten == 0 && stats.PointsDelivered == 0, $"{client}: {stats}");
            Assert.Equal(10, stats.BufferedPoints);
            await client.CloseAsync(TimeSpan.Zero);
        }

        Assert.Empty(servers.Carbon.AllWhisperFiles());
    }

    private (int Port, GraphiteTlsOptions Options, string[] Reason) Case(string name)
    {
        TestCertificates certs = servers.Certificates;
        var trusted = new GraphiteTlsOptions { CaBundlePath = certs.Ca.CertificatePath };
        var mutual = trusted with { ClientCertificatePath = certs.Client.CertificatePath, ClientKeyPath = certs.Client.KeyPath };
        StunnelServer stunnel = servers.Stunnel;
        return name switch
        {
            "untrusted" => (stunnel.Port("untrusted"), trusted, ["not trusted", "Some Other CA", certs.Ca.CertificatePath]),
            "untrusted-system-store" => (stunnel.Port("good"), new GraphiteTlsOptions(), ["not trusted", "system's trusted CAs"]),
            "expired" => (stunnel.Port("expired"), trusted, ["expired on"]),
            "wrong-name" => (stunnel.Port("wrong-name"), trusted, ["not valid for the name '127.0.0.1'", "carbon.example.com", "TargetHost"]),
            "pin-mismatch" => (stunnel.Port("good"), trusted with { PinnedSha256 = [certs.OtherCa.PublicKeySha256] }, ["matches none of Tls.PinnedSha256", certs.Server.PublicKeySha256]),
            "callback-rejects" => (stunnel.Port("good"), trusted with { RemoteCertificateValidationCallback = (_, _, _, _) => false }, ["RemoteCertificateValidationCallback"]),
            "not-tls-line-port" => (servers.Carbon.LinePort, trusted, ["TLS", "plaintext"]),
            "not-tls-pickle-port" => (servers.Carbon.PicklePort, trusted, ["TLS", "plaintext"]),
            "no-client-cert-tls13" => (stunnel.Port("mtls"), trusted, ["requires a client certificate", "Tls.ClientCertificatePath"]),
            "no-client-cert-tls12" => (stunnel.Port("mtls12"), trusted, ["requires a client certificate", "Tls.ClientCertificatePath"]),
            "client-cert-other-ca" => (stunnel.Port("mtls"), trusted with { ClientCertificatePath = certs.ClientFromOtherCa.CertificatePath, ClientKeyPath = certs.ClientFromOtherCa.KeyPath }, ["rejected the client certificate"]),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }

    /// <summary>A carbon-cache behind one stunnel with a service per failure: each forwards to carbon's line port.</summary>
    public sealed class Terminators : IAsyncLifetime
    {
        private CarbonCacheServer? carbon;
        private StunnelServer? stunnel;

        public TestCertificates Certificates { get; } = TestCertificates.Create();

        public CarbonCacheServer Carbon => carbon ?? throw new InvalidOperationException("not started");

        public StunnelServer Stunnel => stunnel ?? throw new InvalidOperationException("not started");

        public async ValueTask InitializeAsync()
        {
            carbon = await CarbonCacheServer.StartAsync();
            string ca = Certificates.Ca.CertificatePath;
            stunnel = await StunnelServer.StartAsync(
            [
                new StunnelService("good", carbon.LinePort, Certificates.Server),
                new StunnelService("untrusted", carbon.LinePort, Certificates.ServerFromOtherCa),
                new StunnelService("expired", carbon.LinePort, Certificates.ExpiredServer),
                new StunnelService("wrong-name", carbon.LinePort, Certificates.WrongNameServer),
                new StunnelService("mtls", carbon.LinePort, Certificates.Server, ca),
                new StunnelService("mtls12", carbon.LinePort, Certificates.Server, ca, "TLSv1.2"),
            ]);
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
}
