using System.Diagnostics;
using AioGraphite.Diagnostics;
using AioGraphite.Protocols;
using AioGraphite.Transport;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Pipeline;

/// <summary>One carbon endpoint with everything of its own: buffer, sender loop, reconnect, replay, counters.</summary>
internal sealed class Destination
{
    public Destination(GraphiteDestination endpoint, WireFormat format, GraphiteClientOptions options, ILogger log, GraphiteInstruments instruments)
    {
        Endpoint = endpoint;
        Tags = GraphiteInstruments.TagsFor(endpoint.Host, endpoint.Port);
        Connector = new GraphiteConnector(endpoint.Host, endpoint.Port, options.Transport, options.ConnectTimeout, options.TimeProvider);
        int segmentBytes = options.Transport == GraphiteTransport.Udp ? options.MaxDatagramBytes : options.BatchSizeBytes;
        Buffer = new SendBuffer(format, segmentBytes, options.BufferCapacityBytes, options.TimeProvider);
        Statistics = new SenderStatistics();
        Loop = new SenderLoop(this, options, log, instruments);
    }

    public GraphiteDestination Endpoint { get; }

    /// <summary>Meter tags of this destination.</summary>
    public TagList Tags { get; }

    public GraphiteConnector Connector { get; }

    public SendBuffer Buffer { get; }

    public SenderLoop Loop { get; }

    public SenderStatistics Statistics { get; }

    /// <summary>Names already checked for this destination's callers (used under <see cref="SendBuffer.Sync"/>).</summary>
    public Naming.ValidatedNameCache Names { get; } = new();
}
