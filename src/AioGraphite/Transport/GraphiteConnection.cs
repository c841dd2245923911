namespace AioGraphite.Transport;

/// <summary>One open connection (or connected UDP socket): the narrow seam between the sender loop and the network.</summary>
internal abstract class GraphiteConnection : IAsyncDisposable
{
    /// <summary>Completes when the peer closed or reset the connection (never for UDP).</summary>
    public abstract Task Closed { get; }

    /// <summary>Writes the segments' bytes in order; throws when the connection is broken.</summary>
    public abstract ValueTask WriteAsync(IList<ArraySegment<byte>> buffers, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();
}
