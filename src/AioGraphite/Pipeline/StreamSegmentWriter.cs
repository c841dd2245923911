using System.Net.Sockets;
using AioGraphite.Protocols;
using AioGraphite.Transport;

namespace AioGraphite.Pipeline;

/// <summary>TCP: every pending segment in one gather write (one <c>sendmsg</c>); a failure breaks the connection.</summary>
internal sealed class StreamSegmentWriter : SegmentWriter
{
    private readonly List<ArraySegment<byte>> _buffers = [];

    public override bool TracksDelivery => true;

    public override async ValueTask<WriteResult> WriteAsync(GraphiteConnection connection, List<Batch> pending, CancellationToken cancellationToken)
    {
        _buffers.Clear();
        foreach (Batch s in pending)
        {
            _buffers.Add(new ArraySegment<byte>(s.Buffer, 0, s.Length));
        }

        try
        {
            await connection.WriteAsync(_buffers, cancellationToken).ConfigureAwait(false);
            return WriteResult.Success;
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            return new WriteResult(ex, 0);
        }
        finally
        {
            _buffers.Clear();
        }
    }
}
