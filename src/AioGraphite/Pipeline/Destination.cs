using AioGraphite.Diagnostics;
using AioGraphite.Protocols;
using AioGraphite.Transport;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Pipeline;

/// <summary>One carbon endpoint with everything of its own: buffer, sender loop, reconnect, replay, counters.</summary>
internal sealed class Destination
{
    public Destination(string host, int port, WireFormat format, GraphiteClientOptions options, ILogger log, GraphiteInstruments instruments)
    {
        Connector = new GraphiteConnector(host, port, options.Transport, options.ConnectTimeout, options.TimeProvider);
        int segmentBytes = options.Transport == GraphiteTransport.Udp ? options.MaxDatagramBytes : options.BatchSizeBytes;
        Buffer = new SendBuffer(format, segmentBytes, options.BufferCapacityBytes, options.TimeProvider);
        Statistics = new SenderStatistics();
        Loop = new SenderLoop(Buffer, Connector, options, log, instruments, Statistics);
        MaxLineBytes = options.Transport == GraphiteTransport.Udp
            ? Math.Min(Naming.MetricNameRules.MaxLineBytes, options.MaxDatagramBytes - 1)
            : Naming.MetricNameRules.MaxLineBytes;
    }

    public GraphiteConnector Connector { get; }

    public SendBuffer Buffer { get; }

    public SenderLoop Loop { get; }

    public SenderStatistics Statistics { get; }

    /// <summary>Longest line (newline excluded) this destination can carry: carbon's limit, or the datagram size for UDP.</summary>
    public int MaxLineBytes { get; }
}
