namespace AioGraphite.Transport;

/// <summary>Opens connections to one destination. The sockets' factory in production, an in-memory one in unit tests.</summary>
internal abstract class ConnectionFactory
{
    /// <summary><c>host:port</c> (IPv6 in brackets), for logs and errors.</summary>
    public abstract string Description { get; }

    /// <summary><c>tcp</c> or <c>udp</c>, for logs.</summary>
    public abstract string TransportName { get; }

    /// <summary>Connects; throws <see cref="GraphiteException"/> naming host, port and the reason.</summary>
    public abstract ValueTask<GraphiteConnection> ConnectAsync(CancellationToken cancellationToken);
}
