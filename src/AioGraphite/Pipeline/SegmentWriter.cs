using AioGraphite.Protocols;
using AioGraphite.Transport;

namespace AioGraphite.Pipeline;

/// <summary>
/// Puts the sender's pending segments on a connection and reports the outcome; never throws for a broken connection.
/// TCP writes them as one gather write; UDP sends each as a datagram.
/// </summary>
internal abstract class SegmentWriter
{
    /// <summary>Whether written segments go through the delivery ledger (TCP) or count as delivered once sent (UDP).</summary>
    public abstract bool TracksDelivery { get; }

    public static SegmentWriter For(GraphiteTransport transport, Action<int, Exception> datagramLost) =>
        transport == GraphiteTransport.Udp ? new DatagramSegmentWriter(datagramLost) : new StreamSegmentWriter();

    /// <summary>Writes <paramref name="pending"/> in order.</summary>
    public abstract ValueTask<WriteResult> WriteAsync(GraphiteConnection connection, List<Batch> pending, CancellationToken cancellationToken);
}
