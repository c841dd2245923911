using System.Net.Sockets;

namespace AioGraphite.TestUtilities;

/// <summary>One connection accepted by a <see cref="LoopbackSink"/>.</summary>
public sealed class SinkConnection
{
    private readonly MemoryStream? _received;
    private readonly Lock _sync = new();
    private int _closed;

    internal SinkConnection(Socket socket, bool record)
    {
        Socket = socket;
        _received = record ? new MemoryStream() : null;
    }

    /// <summary>The bytes received so far (a recording sink; empty otherwise).</summary>
    public byte[] Bytes
    {
        get
        {
            lock (_sync)
            {
                return _received?.ToArray() ?? [];
            }
        }
    }

    /// <summary>True once the client closed its side.</summary>
    public bool EndOfStream { get; private set; }

    internal Socket Socket { get; }

    internal bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Half-closes the connection from the server side (FIN, socket still open for reading).</summary>
    public void HalfClose() => Socket.Shutdown(SocketShutdown.Send);

    internal void Append(ReadOnlySpan<byte> data)
    {
        if (_received is not null)
        {
            lock (_sync)
            {
                _received.Write(data);
            }
        }
    }

    /// <summary>The client ended its stream: close in turn, as carbon does.</summary>
    internal void Ended()
    {
        EndOfStream = true;
        Close();
    }

    internal void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            Socket.Close();
        }
    }
}
