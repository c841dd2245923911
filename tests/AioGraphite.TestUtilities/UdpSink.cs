using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace AioGraphite.TestUtilities;

/// <summary>An in-process loopback UDP receiver that records every datagram (framing tests only).</summary>
public sealed class UdpSink : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receive;

    /// <summary>Binds a loopback UDP socket on a free port and starts receiving.</summary>
    public UdpSink()
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 16 << 20 };
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        _receive = ReceiveAsync();
    }

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary>Datagrams received so far.</summary>
    public ConcurrentQueue<byte[]> Datagrams { get; } = new();

    /// <summary>Stops receiving and closes the socket.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _receive;
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }

    private async Task ReceiveAsync()
    {
        byte[] buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            int n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            Datagrams.Enqueue(buffer.AsSpan(0, n).ToArray());
        }
    }
}
