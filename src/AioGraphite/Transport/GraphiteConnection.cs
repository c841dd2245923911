namespace AioGraphite.Transport;

/// <summary>
/// One open connection (or connected UDP socket): the narrow seam between the sender loop and the network. Besides
/// writing, it tells what it can about carbon having read the bytes: the delivery evidence the pipeline's ledger uses.
/// </summary>
internal abstract class GraphiteConnection : IAsyncDisposable
{
    /// <summary>
    /// Completes when the peer ended the connection: <see langword="true"/> for an orderly close (FIN),
    /// <see langword="false"/> for a reset or a failure (dead peer). Never completes for UDP.
    /// </summary>
    public abstract Task<bool> Closed { get; }

    /// <summary>Bytes of this connection's stream written so far (successful writes only).</summary>
    public abstract long BytesWritten { get; }

    /// <summary>Writes the buffers' bytes in order; throws when the connection is broken.</summary>
    public abstract ValueTask WriteAsync(IList<ArraySegment<byte>> buffers, CancellationToken cancellationToken);

    /// <summary>
    /// How many bytes of this connection's stream carbon's process has read, as far as the transport can tell: never more
    /// than <see cref="BytesWritten"/>, never less than an earlier answer.
    /// </summary>
    public abstract long ReadConsumedBytes();

    /// <summary>
    /// Ends our side of the stream (nothing can be written afterwards) and waits up to <paramref name="timeout"/> for the
    /// peer to close in turn: carbon closes only after it has read everything up to our end of stream, so an orderly close
    /// proves that every byte written was consumed. Returns <see langword="false"/> when the proof did not come.
    /// </summary>
    public abstract ValueTask<bool> EndStreamAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();
}
