using System.Net;
using System.Net.Sockets;
using AioGraphite.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AioGraphite.Transport;

/// <summary>
/// Opens socket connections to one destination, resolving its host name again on every attempt. TCP sockets get
/// <c>NoDelay</c> and the dead-peer settings: <c>TCP_USER_TIMEOUT</c> (Linux) and keepalive, so a peer that stops
/// acknowledging (a partition, a host gone) fails the connection within <see cref="GraphiteClientOptions.DeadPeerTimeout"/>.
/// With <see cref="GraphiteClientOptions.Tls"/> every TCP connection gets a new TLS handshake (<see cref="TlsHandshake"/>)
/// within the same connect timeout, and is a <see cref="TlsConnection"/>; a failed handshake fails the attempt (never a
/// plaintext fall-back) and other addresses of the host are not tried.
/// </summary>
internal sealed class SocketConnectionFactory : ConnectionFactory
{
    private const int KeepAliveProbes = 3;

    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _deadPeerTimeout;
    private readonly GraphiteTransport _transport;
    private readonly TimeProvider _time;
    private readonly TlsHandshake? _tls;
    private readonly ILogger _log;

    public SocketConnectionFactory(string host, int port, GraphiteTransport transport, TimeSpan connectTimeout, TimeSpan deadPeerTimeout, TimeProvider time, GraphiteTlsOptions? tls = null, ILogger? log = null)
    {
        _time = time;
        Host = host;
        Port = port;
        _transport = transport;
        _connectTimeout = connectTimeout;
        _deadPeerTimeout = deadPeerTimeout;
        _log = log ?? NullLogger.Instance;
        if (tls is not null && transport == GraphiteTransport.Tcp)
        {
            _tls = new TlsHandshake(tls, host, port, Description, connectTimeout, time);
            if (tls.InsecureSkipVerify)
            {
                GraphiteLog.TlsVerificationDisabled(_log, Description);
            }
        }
    }

    public string Host { get; }

    public int Port { get; }

    public override string Description => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public override string TransportName => _transport == GraphiteTransport.Udp ? "udp" : _tls is null ? "tcp" : "tls";

    public override async ValueTask<GraphiteConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_connectTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(Host, out IPAddress? literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(Host, timeout.Token).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw Failure(ex.SocketErrorCode, $"cannot resolve the host name: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(SocketError.TimedOut, $"resolving the host name took longer than the connect timeout of {_connectTimeout.TotalSeconds:0.###} s", ex);
        }

        if (addresses.Length == 0)
        {
            throw Failure(SocketError.HostNotFound, "the host name has no address", null);
        }

        Exception? last = null;
        SocketError lastError = SocketError.SocketError;
        foreach (IPAddress address in addresses)
        {
            var endpoint = new IPEndPoint(address, Port);
            Socket socket = _transport == GraphiteTransport.Udp
                ? new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
                : TcpSocket(address.AddressFamily);
            try
            {
                await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
                if (_tls is not null)
                {
                    TlsConnection tls = await _tls.ConnectAsync(socket, timeout.Token, cancellationToken).ConfigureAwait(false);
                    GraphiteLog.TlsEstablished(_log, Description, tls.Protocol, tls.CipherSuite, tls.ServerSubject, tls.HandshakeTime.TotalMilliseconds);
                    return tls;
                }

                return _transport == GraphiteTransport.Udp ? new UdpConnection(socket) : new TcpConnection(socket, _time);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
                lastError = ex.SocketErrorCode;
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw Failure(SocketError.TimedOut, $"no answer within the connect timeout of {_connectTimeout.TotalSeconds:0.###} s", ex);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw Failure(lastError, last?.Message ?? "connection failed", last);
    }

    /// <summary>A TCP socket that notices a dead peer: unacknowledged data fails it after the dead-peer timeout, and an idle
    /// connection is probed by keepalive (first probe after a third of the timeout, three probes in the rest).</summary>
    private Socket TcpSocket(AddressFamily family)
    {
        var socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            int seconds = (int)Math.Max(1, _deadPeerTimeout.TotalSeconds);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, Math.Max(1, seconds / 3));
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Math.Max(1, seconds * 2 / 3 / KeepAliveProbes));
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, KeepAliveProbes);
            TcpInfo.SetUserTimeout(socket, _deadPeerTimeout);
        }
        catch (SocketException)
        {
            // A platform without one of these options keeps the defaults (documented in DeadPeerTimeout).
        }
        catch (PlatformNotSupportedException)
        {
        }

        return socket;
    }

    private GraphiteException Failure(SocketError error, string detail, Exception? inner) =>
        new(Host, Port, error, $"Unable to connect to Graphite at {Description} ({TransportName}): {detail} (socket error {error}). Check that carbon is running and listening there.", inner);
}
