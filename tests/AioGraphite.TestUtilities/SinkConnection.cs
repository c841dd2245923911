using System.Net.Sockets;

namespace AioGraphite.TestUtilities;

/// <summary>One connection accepted by a <see cref="ByteSink"/>.</summary>
public sealed class SinkConnection
{
    private readonly Socket _socket;
    private readonly MemoryStream _received = new();
    private readonly Lock _sync = new();
    private int _closed;

    internal SinkConnection(Socket socket) => _socket = socket;

    /// <summary>The bytes received so far.</summary>
    public byte[] Bytes
    {
        get
        {
            lock (_sync)
            {
                return _received.ToArray();
            }
        }
    }

    /// <summary>True once the client closed its side.</summary>
    public bool EndOfStream { get; private set; }

    internal async Task ReadAllAsync()
    {
        byte[] buffer = new byte[256 * 1024];
        try
        {
            int n;
            while ((n = await _socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                lock (_sync)
                {
                    _received.Write(buffer, 0, n);
                }
            }

            // Like carbon: once the client ends its stream, everything before it has been read; close in turn.
            EndOfStream = true;
            Close();
        }
        catch (Exception)
        {
        }
    }

    /// <summary>Half-closes the connection from the server side (FIN, socket still open for reading).</summary>
    public void HalfClose() => _socket.Shutdown(SocketShutdown.Send);

    internal void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _socket.Close();
        }
    }
}
