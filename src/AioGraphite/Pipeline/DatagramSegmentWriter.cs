using System.Net.Sockets;
using AioGraphite.Protocols;
using AioGraphite.Transport;

namespace AioGraphite.Pipeline;

/// <summary>UDP: each segment is one datagram; a datagram that cannot be sent is lost (reported), the rest go on.</summary>
internal sealed class DatagramSegmentWriter : SegmentWriter
{
    private readonly List<ArraySegment<byte>> _one = [default];
    private readonly Action<int, Exception> _lost;

    /// <param name="lost">Called with the points of a datagram that could not be sent and the error.</param>
    public DatagramSegmentWriter(Action<int, Exception> lost) => _lost = lost;

    public override bool TracksDelivery => false;

    public override async ValueTask<WriteResult> WriteAsync(GraphiteConnection connection, List<Batch> pending, CancellationToken cancellationToken)
    {
        long lost = 0;
        foreach (Batch s in pending)
        {
            try
            {
                _one[0] = new ArraySegment<byte>(s.Buffer, 0, s.Length);
                await connection.WriteAsync(_one, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
                _lost(s.Points, ex);
                lost += s.Points;
            }
        }

        return new WriteResult(null, lost);
    }
}
