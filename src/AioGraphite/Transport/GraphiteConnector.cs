using System.Net;
using System.Net.Sockets;

namespace AioGraphite.Transport;

/// <summary>Opens connections to one destination, resolving its host name again on every attempt.</summary>
internal sealed class GraphiteConnector
{
    private readonly TimeSpan _connectTimeout;
    private readonly GraphiteTransport _transport;
    private readonly TimeProvider _time;

    public GraphiteConnector(string host, int port, GraphiteTransport transport, TimeSpan connectTimeout, TimeProvider time)
    {
        _time = time;
        Host = host;
        Port = port;
        _transport = transport;
        _connectTimeout = connectTimeout;
    }

    public string Host { get; }

    public int Port { get; }

    public string Description => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public string TransportName => _transport == GraphiteTransport.Udp ? "udp" : "tcp";

    /// <summary>Connects; throws <see cref="GraphiteException"/> naming host, port and the socket error.</summary>
    public async ValueTask<GraphiteConnection> ConnectAsync(CancellationToken cancellationToken)
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
            var socket = _transport == GraphiteTransport.Udp
                ? new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
                : new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
                return _transport == GraphiteTransport.Udp ? new UdpConnection(socket) : new TcpConnection(socket);
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

    private GraphiteException Failure(SocketError error, string detail, Exception? inner) =>
        new(Host, Port, error, $"Unable to connect to Graphite at {Description} ({TransportName}): {detail} (socket error {error}). Check that carbon is running and listening there.", inner);
}
