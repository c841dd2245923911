using System.Net.Sockets;

namespace AioGraphite.Transport;

/// <summary>A connected UDP socket: each buffer is one datagram (the buffer holds whole lines and fits the datagram size).</summary>
internal sealed class UdpConnection : GraphiteConnection
{
    private readonly Socket _socket;

    public UdpConnection(Socket socket) => _socket = socket;

    public override Task Closed { get; } = new TaskCompletionSource().Task;

    public override async ValueTask WriteAsync(IList<ArraySegment<byte>> buffers, CancellationToken cancellationToken)
    {
        for (int i = 0; i < buffers.Count; i++)
        {
            await _socket.SendAsync(buffers[i].AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }

    public override ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
