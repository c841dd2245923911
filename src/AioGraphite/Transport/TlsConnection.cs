using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace AioGraphite.Transport;

/// <summary>
/// A TLS connection (an <see cref="SslStream"/> over a TCP socket) to a terminator in front of carbon, made by
/// <see cref="TlsHandshake"/>. The delivery evidence comes from the TCP socket under the TLS stream: the kernel's
/// counters (<see cref="TcpDeliveryEstimator"/>) say how much of the TCP stream the peer's process has read, and
/// <see cref="PlaintextOffsetMap"/> turns that into plaintext offsets (the pipeline's). The end-of-stream receipt
/// sends TLS close_notify, then the TCP FIN, and waits for the peer's orderly close: it proves that the TERMINATOR read
/// everything (what it forwards to carbon, and when, is its own business; stunnel, for one, closes only after carbon
/// closed its side).
/// </summary>
internal sealed class TlsConnection : GraphiteConnection
{
    private readonly Socket _socket;
    private readonly CountingNetworkStream _wire;
    private readonly SslStream _ssl;
    private readonly TimeProvider _time;
    private readonly TcpDeliveryEstimator? _estimator;
    private readonly PlaintextOffsetMap _map = new();
    private readonly IDisposable? _credentials;
    private readonly Task<bool> _closed;
    private long _written;
    private int _disposed;

    /// <param name="socket">The connected socket.</param>
    /// <param name="wire">The stream under <paramref name="ssl"/>, over <paramref name="socket"/>.</param>
    /// <param name="ssl">The authenticated TLS stream.</param>
    /// <param name="estimator">The kernel's evidence of the socket, started when it connected (before the handshake), or null.</param>
    /// <param name="credentials">Certificates loaded for this connection, disposed with it.</param>
    /// <param name="time">The clock.</param>
    public TlsConnection(Socket socket, CountingNetworkStream wire, SslStream ssl, TcpDeliveryEstimator? estimator, IDisposable? credentials, TimeProvider time)
    {
        _socket = socket;
        _wire = wire;
        _ssl = ssl;
        _estimator = estimator;
        _credentials = credentials;
        _time = time;
        _closed = WatchPeerAsync();
    }

    public override Task<bool> Closed => _closed;

    /// <summary>Plaintext bytes written so far.</summary>
    public override long BytesWritten => Volatile.Read(ref _written);

    /// <summary>The negotiated protocol (TLS 1.2 or 1.3).</summary>
    public SslProtocols Protocol => _ssl.SslProtocol;

    /// <summary>The negotiated cipher suite.</summary>
    public TlsCipherSuite CipherSuite => _ssl.NegotiatedCipherSuite;

    /// <summary>How long the handshake took (for the log).</summary>
    public TimeSpan HandshakeTime { get; init; }

    /// <summary>The subject of the server's certificate.</summary>
    public string ServerSubject => _ssl.RemoteCertificate?.Subject ?? "(none)";

    /// <summary>Why the peer's side ended, when it failed (a TLS alert, a reset); null while open or after an orderly close.</summary>
    public Exception? PeerFailure { get; private set; }

    public override async ValueTask WriteAsync(IList<ArraySegment<byte>> buffers, CancellationToken cancellationToken)
    {
        if (_closed.IsCompleted)
        {
            throw new SocketException((int)SocketError.ConnectionReset);
        }

        // One TLS write per buffer (a segment): its end is where the offset map has a boundary. The records are gathered
        // into few sends (TLS makes one per 16 KiB), all sent before this returns.
        _wire.BeginCoalescing();
        try
        {
            await WriteSegmentsAsync(buffers, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _wire.EndCoalescingAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask WriteSegmentsAsync(IList<ArraySegment<byte>> buffers, CancellationToken cancellationToken)
    {
        foreach (ArraySegment<byte> buffer in buffers)
        {
            if (buffer.Count == 0)
            {
                continue;
            }

            try
            {
                await _ssl.WriteAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or InvalidOperationException)
            {
                // The TLS session failed (an alert, a write after the peer's close): a broken connection like any other.
                throw new IOException($"the TLS stream failed: {ex.Message}", ex);
            }

            long written = Volatile.Read(ref _written) + buffer.Count;
            Volatile.Write(ref _written, written);
            if (_estimator is not null)
            {
                _map.Add(written, _wire.BytesWritten);
            }
        }
    }

    public override long ReadConsumedBytes()
    {
        long written = Volatile.Read(ref _written);
        if (_estimator is null)
        {
            return written;
        }

        long wireConsumed = TcpInfo.TryRead(_socket, out TcpInfoSample sample) ? _estimator.Update(sample, _wire.BytesWritten) : _estimator.Consumed;
        return _map.ConsumedThrough(wireConsumed);
    }

    public override async ValueTask<bool> EndStreamAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            // close_notify first (a TLS peer that sees only the FIN may take the stream as truncated), then the FIN.
            await _ssl.ShutdownAsync().WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or AuthenticationException or InvalidOperationException or TimeoutException)
        {
            return false;
        }

        // As over plain TCP, counting the TCP stream under TLS (records, close_notify): the terminator's process read it all.
        return await TcpDeliveryEstimator.ReceiptAsync(_closed, _socket, _estimator, _wire.BytesWritten, timeout, _time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// TLS 1.3 servers check a client certificate after the client has finished its half of the handshake, and answer
    /// with an alert (rejected, or missing when required) or with session tickets (accepted). Waits up to
    /// <paramref name="window"/> for that answer; returns the failure when the server refused the client, else null.
    /// </summary>
    public async Task<Exception?> AwaitServerAnswerAsync(Task answered, TimeSpan window, CancellationToken cancellationToken)
    {
        using var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task delay = Task.Delay(window, _time, stopDelay.Token);
        Task first = await Task.WhenAny(_closed, answered, delay).ConfigureAwait(false);
        await stopDelay.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (first != _closed && !_closed.IsCompleted)
        {
            return null;
        }

        return await _closed.ConfigureAwait(false)
            ? new IOException("the server closed the connection right after the TLS handshake")
            : PeerFailure ?? new IOException("the connection failed right after the TLS handshake");
    }

    private async Task<bool> WatchPeerAsync()
    {
        // carbon never sends; a terminator may send TLS messages of its own (session tickets), which SslStream handles.
        byte[] scratch = new byte[256];
        try
        {
            while (await _ssl.ReadAsync(scratch).ConfigureAwait(false) > 0)
            {
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or AuthenticationException or InvalidOperationException)
        {
            PeerFailure = ex;
            return false;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
        await _ssl.DisposeAsync().ConfigureAwait(false);
        await _wire.DisposeAsync().ConfigureAwait(false);
        _credentials?.Dispose();
    }
}
