using System.Net.Sockets;

namespace AioGraphite.Transport;

/// <summary>
/// A TCP connection to carbon. carbon never sends on its receiver ports, so a read completing means the peer closed
/// (or reset) the connection. On Linux the kernel's counters tell how much of the stream carbon has read.
/// </summary>
internal sealed class TcpConnection : GraphiteConnection
{
    private readonly Socket _socket;
    private readonly TimeProvider _time;
    private readonly Task<bool> _closed;
    private readonly TcpDeliveryEstimator? _estimator;
    private long _written;
    private int _disposed;

    public TcpConnection(Socket socket, TimeProvider time)
    {
        _socket = socket;
        _time = time;
        _estimator = TcpDeliveryEstimator.TryStart(socket);
        _closed = WatchPeerAsync();
    }

    public override Task<bool> Closed => _closed;

    public override long BytesWritten => Volatile.Read(ref _written);

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

            Volatile.Write(ref _written, _written + sent);
            return;
        }

        // Gather write: one sendmsg for many segments. Socket.SendAsync(IList) sends everything or throws.
        using (cancellationToken.UnsafeRegister(static s => ((Socket)s!).Dispose(), _socket))
        {
            int sent = await _socket.SendAsync(buffers, SocketFlags.None).ConfigureAwait(false);
            Volatile.Write(ref _written, _written + sent);
        }
    }

    public override long ReadConsumedBytes()
    {
        long written = Volatile.Read(ref _written);
        if (_estimator is null)
        {
            return written;
        }

        return TcpInfo.TryRead(_socket, out TcpInfoSample sample) ? _estimator.Update(sample, written) : _estimator.Consumed;
    }

    public override async ValueTask<bool> EndStreamAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        return await TcpDeliveryEstimator.ReceiptAsync(_closed, _socket, _estimator, Volatile.Read(ref _written), timeout, _time, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> WatchPeerAsync()
    {
        byte[] scratch = new byte[64];
        try
        {
            while (await _socket.ReceiveAsync(scratch, SocketFlags.None).ConfigureAwait(false) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
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
