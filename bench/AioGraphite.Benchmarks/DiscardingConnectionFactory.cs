using AioGraphite.Transport;

namespace AioGraphite.Benchmarks;

/// <summary>
/// Connections that take every byte and throw it away, and report it consumed at once: the client's producer path with
/// no socket, no sink and no kernel sharing the CPU (through the internal <see cref="ConnectionFactory"/> seam).
/// </summary>
internal sealed class DiscardingConnectionFactory : ConnectionFactory
{
    public override string Description => "discard:2003";

    public override string TransportName => "tcp";

    private long _writes;
    private long _segments;

    /// <summary>Write calls on every connection so far (the sender loop's writes).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Buffers written so far: the segments the sender loop handed over.</summary>
    public long Segments => Interlocked.Read(ref _segments);

    public override ValueTask<GraphiteConnection> ConnectAsync(CancellationToken cancellationToken) => new(new DiscardingConnection(this));

    /// <summary>One connection: counts what is written; carbon "reads" it at once and confirms the end of stream.</summary>
    private sealed class DiscardingConnection(DiscardingConnectionFactory factory) : GraphiteConnection
    {
        private readonly TaskCompletionSource<bool> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _written;

        public override Task<bool> Closed => _closed.Task;

        public override long BytesWritten => Volatile.Read(ref _written);

        public override ValueTask WriteAsync(IList<ArraySegment<byte>> buffers, CancellationToken cancellationToken)
        {
            long bytes = 0;
            for (int i = 0; i < buffers.Count; i++)
            {
                bytes += buffers[i].Count;
            }

            Volatile.Write(ref _written, _written + bytes);
            Interlocked.Increment(ref factory._writes);
            Interlocked.Add(ref factory._segments, buffers.Count);
            return ValueTask.CompletedTask;
        }

        public override long ReadConsumedBytes() => BytesWritten;

        public override ValueTask<bool> EndStreamAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            _closed.TrySetResult(true);
            return new(true);
        }

        public override ValueTask DisposeAsync()
        {
            _closed.TrySetResult(true);
            return ValueTask.CompletedTask;
        }
    }
}
