using System.Net.Sockets;

namespace AioGraphite.Transport;

/// <summary>A connected UDP socket: each buffer is one datagram (the buffer holds whole lines and fits the datagram size).</summary>
internal sealed class UdpConnection : GraphiteConnection
{
    private readonly Socket _socket;
    private long _written;

    public UdpConnection(Socket socket) => _socket = socket;

    public override Task<bool> Closed { get; } = new TaskCompletionSource<bool>().Task;

    public override long BytesWritten => Volatile.Read(ref _written);

    public override async ValueTask WriteAsync(IList<ArraySegment<byte>> buffers, CancellationToken cancellationToken)
    {
        for (int i = 0; i < buffers.Count; i++)
        {
            int sent = await _socket.SendAsync(buffers[i].AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _written, _written + sent);
        }
    }

    public override long ReadConsumedBytes() => Volatile.Read(ref _written);

    /// <summary>UDP has no end of stream and no proof: nothing to wait for.</summary>
    public override ValueTask<bool> EndStreamAsync(TimeSpan timeout, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    public override ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
