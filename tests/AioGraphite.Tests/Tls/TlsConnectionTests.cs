using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AioGraphite.Tests.Support;
using AioGraphite.TestUtilities.Tls;
using AioGraphite.Transport;
using Xunit;

namespace AioGraphite.Tests.Tls;

/// <summary>
/// The TLS connection against an in-process TLS server: exact bytes, the close_notify + FIN receipt, the kernel's
/// evidence mapped to plaintext offsets (a reader that stops counts nothing), the handshake's time limit, files re-read
/// on every connection, and file contents never in a message.
/// </summary>
public sealed class TlsConnectionTests : IDisposable
{
    private readonly TestCertificates _certs = TestCertificates.Create();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _certs.Dispose();

    [Fact]
    public async Task Segments_ArriveExactly_AndTheReceiptProvesTheyWereRead()
    {
        using X509Certificate2 serverCert = _certs.Server.LoadWithKey();
        await using var server = new TlsTestServer(serverCert);
        await using GraphiteConnection connection = await Factory(server.Port, Trusted()).ConnectAsync(Ct);
        Assert.IsType<TlsConnection>(connection);
        byte[] a = Encoding.ASCII.GetBytes("a.b 1 1\n");
        byte[] b = new byte[100_000];
        Array.Fill(b, (byte)'x');
        await connection.WriteAsync([a, b], Ct);
        Assert.Equal(a.Length + b.Length, connection.BytesWritten);

        // A gather write larger than what TLS gathers per send (20 segments of 64 KiB, each with its own bytes).
        ArraySegment<byte>[] segments = [.. Enumerable.Range(0, 20).Select(i => new ArraySegment<byte>(Enumerable.Repeat((byte)('A' + i), 64 * 1024).ToArray()))];
        await connection.WriteAsync(segments, Ct);
        Assert.True(await connection.EndStreamAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.True(await connection.Closed);
        byte[] received = Assert.Single(server.Connections);
        Assert.Equal([.. a, .. b, .. segments.SelectMany(x => x)], received);
    }

    [Fact]
    public async Task KernelEvidence_UnderTls_CountsOnlyWhatThePeerRead()
    {
        if (!TcpInfo.IsSupported)
        {
            Assert.Fail("this test needs Linux's TCP_INFO (the library's other platforms count bytes as consumed when written)");
        }

        using X509Certificate2 serverCert = _certs.Server.LoadWithKey();
        await using var server = new TlsTestServer(serverCert) { Reading = false };
        await using GraphiteConnection connection = await Factory(server.Port, Trusted()).ConnectAsync(Ct);
        byte[] segment = new byte[64 * 1024];
        Array.Fill(segment, (byte)'y');

        // A frozen reader: write until the buffers are full (the write stalls), then look.
        Task writing = Task.Run(async () =>
        {
            for (int i = 0; i < 400; i++)
            {
                await connection.WriteAsync([segment], Ct);
            }
        }, Ct);
        await Task.WhenAny(writing, Task.Delay(1500, Ct));
        long written = connection.BytesWritten;
        long consumed = connection.ReadConsumedBytes();
        Assert.True(written >= 1 << 20, $"expected at least 1 MiB written before the buffers filled, got {written}");
        Assert.True(consumed <= 256 * 1024, $"a reader that never read consumed nothing (allowing the window's growth), but the evidence says {consumed} of {written}");

        // It reads again: everything written is consumed, at write boundaries.
        server.Reading = true;
        await writing;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (connection.ReadConsumedBytes() < connection.BytesWritten && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal(400L * segment.Length, connection.ReadConsumedBytes());
        Assert.True(await connection.EndStreamAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(400 * segment.Length, Assert.Single(server.Connections).Length);
    }

    [Fact]
    public async Task AServerThatNeverAnswers_FailsWithinTheConnectTimeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var started = DateTime.UtcNow;
        GraphiteException ex = await Assert.ThrowsAsync<GraphiteException>(async () => await Factory(port, Trusted(), TimeSpan.FromMilliseconds(500)).ConnectAsync(Ct));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.Contains("no TLS answer within the connect timeout of 0.5 s", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(port, ex.Port);
    }

    [Fact]
    public async Task KeyFileContents_NeverAppearInTheError()
    {
        using X509Certificate2 serverCert = _certs.Server.LoadWithKey();
        await using var server = new TlsTestServer(serverCert);
        string garbage = Path.Combine(_certs.Directory, "garbage.key");
        await File.WriteAllTextAsync(garbage, "-----BEGIN PRIVATE KEY-----\nTOP-SECRET-MARKER-4711\n-----END PRIVATE KEY-----\n", Ct);
        string[] secrets = ["TOP-SECRET-MARKER-4711", .. File.ReadAllText(_certs.Server.KeyPath).Split('\n').Where(l => l.Length > 20 && !l.StartsWith("-----", StringComparison.Ordinal))];
        GraphiteTlsOptions[] cases =
        [
            Trusted() with { ClientCertificatePath = _certs.Client.CertificatePath, ClientKeyPath = garbage },
            Trusted() with { ClientCertificatePath = _certs.Client.CertificatePath, ClientKeyPath = _certs.Server.KeyPath }, // a key of another certificate
            Trusted() with { ClientCertificatePath = garbage },
        ];
        foreach (GraphiteTlsOptions options in cases)
        {
            GraphiteException ex = await Assert.ThrowsAsync<GraphiteException>(async () => await Factory(server.Port, options).ConnectAsync(Ct));
            Assert.Contains("client certificate", ex.Message, StringComparison.Ordinal);
            foreach (string secret in secrets)
            {
                Assert.DoesNotContain(secret, ex.ToString(), StringComparison.Ordinal);
            }
        }

        Assert.Equal(0, server.Handshakes);
    }

    [Fact]
    public async Task AMissingCaBundle_IsNamed()
    {
        using X509Certificate2 serverCert = _certs.Server.LoadWithKey();
        await using var server = new TlsTestServer(serverCert);
        string missing = Path.Combine(_certs.Directory, "missing.pem");
        GraphiteException ex = await Assert.ThrowsAsync<GraphiteException>(async () => await Factory(server.Port, new GraphiteTlsOptions { CaBundlePath = missing }).ConnectAsync(Ct));
        Assert.Contains($"cannot read the CA bundle (Tls.CaBundlePath) {missing}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MutualTls_WithAnX509Certificate2_PresentsIt()
    {
        using X509Certificate2 serverCert = _certs.Server.LoadWithKey();
        using X509Certificate2 clientCert = _certs.Client.LoadWithKey();
        await using var server = new TlsTestServer(serverCert, requireClientCertificate: true);
        await using (GraphiteConnection connection = await Factory(server.Port, Trusted() with { ClientCertificate = clientCert }).ConnectAsync(Ct))
        {
            await connection.WriteAsync([Encoding.ASCII.GetBytes("m 1 1\n")], Ct);
            Assert.True(await connection.EndStreamAsync(TimeSpan.FromSeconds(10), Ct));
        }

        Assert.Equal(clientCert.Subject, server.LastClientCertificate?.Subject);
        Assert.True(clientCert.HasPrivateKey, "the client never disposes a certificate it was given");
    }

    [Fact]
    public async Task InsecureSkipVerify_AcceptsAnyCertificate_AndWarns()
    {
        using X509Certificate2 serverCert = _certs.ServerFromOtherCa.LoadWithKey();
        await using var server = new TlsTestServer(serverCert);
        var logs = new ListLoggerFactory();
        var options = new GraphiteClientOptions { Tls = new GraphiteTlsOptions { InsecureSkipVerify = true }, LoggerFactory = logs };
        await using (var client = await GraphiteClient.ConnectAsync("127.0.0.1", server.Port, options: options, cancellationToken: Ct))
        {
            await client.SendAsync("insecure.test", 1, 1, Ct);
            await client.WaitForDeliveryAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        }

        Assert.Equal(1, logs.Count("TlsVerificationDisabled"));
        Assert.Equal("insecure.test 1 1\n", Encoding.ASCII.GetString(Assert.Single(server.Connections, c => c.Length > 0)));
    }

    [Fact]
    public async Task TheCaBundle_IsReadAgainOnEveryConnection()
    {
        // Rotation: a lazy client whose CA bundle does not trust the server keeps failing; once the file names the right
        // CA, the next attempt connects and the buffered points are delivered.
        using X509Certificate2 serverCert = _certs.Server.LoadWithKey();
        await using var server = new TlsTestServer(serverCert);
        string bundle = Path.Combine(_certs.Directory, "rotating-ca.pem");
        File.Copy(_certs.OtherCa.CertificatePath, bundle);
        var logs = new ListLoggerFactory();
        var options = new GraphiteClientOptions
        {
            Tls = new GraphiteTlsOptions { CaBundlePath = bundle },
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
            LoggerFactory = logs,
        };
        await using var client = GraphiteClient.Create("127.0.0.1", server.Port, options: options);
        await client.SendAsync("rotated.ca", 2, 1, Ct);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (logs.Count("ConnectFailed") < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        Assert.True(logs.Count("ConnectFailed") >= 2);
        Assert.Equal(0, client.Statistics.PointsWritten);
        File.Copy(_certs.Ca.CertificatePath, bundle, overwrite: true);
        await client.WaitForDeliveryAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal("rotated.ca 2 1\n", Encoding.ASCII.GetString(Assert.Single(server.Connections, c => c.Length > 0)));
    }

    private GraphiteTlsOptions Trusted() => new() { CaBundlePath = _certs.Ca.CertificatePath };

    private static SocketConnectionFactory Factory(int port, GraphiteTlsOptions tls, TimeSpan? connectTimeout = null) =>
        new("127.0.0.1", port, GraphiteTransport.Tcp, connectTimeout ?? TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), TimeProvider.System, tls);
}
