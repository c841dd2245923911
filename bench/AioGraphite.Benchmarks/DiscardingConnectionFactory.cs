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

    public override ValueTask<GraphiteConnection> ConnectAsync(CancellationToken cancellationToken) => new(new DiscardingConnection());

    /// <summary>One connection: counts what is written; carbon "reads" it at once and confirms the end of stream.</summary>
    private sealed class DiscardingConnection : GraphiteConnection
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
