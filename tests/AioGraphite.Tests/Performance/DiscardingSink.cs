using System.Net;
using System.Net.Sockets;

namespace AioGraphite.Tests.Performance;

/// <summary>A loopback TCP server that reads everything it is sent and throws it away, counting the bytes.</summary>
internal sealed class DiscardingSink : IDisposable
{
    private readonly TcpListener _listener;
    private readonly List<Socket> _sockets = [];
    private long _bytes;

    /// <summary>Starts listening on <paramref name="port"/> (0: any free port).</summary>
    public DiscardingSink(int port = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        new Thread(Accept) { IsBackground = true, Name = "discarding-sink" }.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long Bytes => Interlocked.Read(ref _bytes);

    private void Accept()
    {
        try
        {
            while (true)
            {
                Socket socket = _listener.AcceptSocket();
                lock (_sockets)
                {
                    _sockets.Add(socket);
                }

                new Thread(() => Read(socket)) { IsBackground = true, Name = "discarding-sink-read" }.Start();
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Read(Socket socket)
    {
        byte[] buffer = new byte[1 << 20];
        try
        {
            int n;
            while ((n = socket.Receive(buffer)) > 0)
            {
                Interlocked.Add(ref _bytes, n);
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        lock (_sockets)
        {
            foreach (Socket s in _sockets)
            {
                s.Dispose();
            }
        }
    }
}
