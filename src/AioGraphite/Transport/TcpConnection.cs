using System.Net.Sockets;

namespace AioGraphite.Transport;

/// <summary>A TCP connection to carbon. carbon never sends on its receiver ports, so any read completing means the peer closed or reset.</summary>
internal sealed class TcpConnection : GraphiteConnection
{
    private readonly Socket _socket;
    private readonly Task _closed;
    private int _disposed;

    public TcpConnection(Socket socket)
    {
        _socket = socket;
        _closed = WatchPeerAsync();
    }

    public override Task Closed => _closed;

    public override async ValueTask WriteAsync(IList<ArraySegment<byte>> buffers, CancellationToken cancellationToken)
    {
        if (_closed.IsCompleted)
        {
            throw new SocketException((int)SocketError.ConnectionReset);
        }

        if (buffers.Count == 1)
        {
            ArraySegment<byte> one = buffers[0];
            int sent = 0;
            while (sent < one.Count)
            {
                sent += await _socket.SendAsync(one.AsMemory(sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        // Gather write: one sendmsg for many segments. Socket.SendAsync(IList) sends everything or throws.
        using (cancellationToken.UnsafeRegister(static s => ((Socket)s!).Dispose(), _socket))
        {
            await _socket.SendAsync(buffers, SocketFlags.None).ConfigureAwait(false);
        }
    }

    private async Task WatchPeerAsync()
    {
        byte[] scratch = new byte[64];
        try
        {
            while (await _socket.ReceiveAsync(scratch, SocketFlags.None).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public override ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
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
        }

        return ValueTask.CompletedTask;
    }
}
