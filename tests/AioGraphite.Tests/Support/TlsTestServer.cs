using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace AioGraphite.Tests.Support;

/// <summary>
/// An in-process TLS server on a loopback port for unit tests of the TLS transport (framing, errors, evidence): it
/// reads each connection to its end and keeps the plaintext, then closes (a carbon behind a terminator, in one).
/// <see cref="Reading"/> false stops reading (a frozen peer). Real terminators are in the integration tests.
/// </summary>
public sealed class TlsTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly bool _requireClientCertificate;
    private readonly ConcurrentQueue<byte[]> _received = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private int _handshakes;

    public TlsTestServer(X509Certificate2 certificate, bool requireClientCertificate = false)
    {
        _certificate = certificate;
        _requireClientCertificate = requireClientCertificate;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private volatile bool _reading = true;

    /// <summary>Whether connections are read (a frozen peer when false: the receive buffer fills, the window closes).</summary>
    public bool Reading
    {
        get => _reading;
        set => _reading = value;
    }

    /// <summary>Successful handshakes so far.</summary>
    public int Handshakes => Volatile.Read(ref _handshakes);

    /// <summary>Plaintext of every connection that ended, in order of ending.</summary>
    public IReadOnlyList<byte[]> Connections => [.. _received];

    /// <summary>The client certificate of the last handshake, if any.</summary>
    public X509Certificate? LastClientCertificate { get; private set; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        await using (var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false)))
        {
            try
            {
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _certificate,
                    ClientCertificateRequired = _requireClientCertificate,
                    RemoteCertificateValidationCallback = (_, cert, _, _) => !_requireClientCertificate || cert is not null,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                }, _stop.Token);
                Interlocked.Increment(ref _handshakes);
                LastClientCertificate = ssl.RemoteCertificate;
                using var all = new MemoryStream();
                byte[] buffer = new byte[64 * 1024];
                while (true)
                {
                    while (!Reading && !_stop.IsCancellationRequested)
                    {
                        await Task.Delay(10);
                    }

                    int n = await ssl.ReadAsync(buffer, _stop.Token);
                    if (n == 0)
                    {
                        break;
                    }

                    all.Write(buffer, 0, n);
                }

                _received.Enqueue(all.ToArray());
                await ssl.ShutdownAsync();
            }
            catch (Exception ex) when (ex is IOException or AuthenticationException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }
}
