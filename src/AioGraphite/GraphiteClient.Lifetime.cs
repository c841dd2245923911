using AioGraphite.Diagnostics;
using AioGraphite.Pipeline;

namespace AioGraphite;

/// <content>Flushing, waiting for delivery, and closing.</content>
public sealed partial class GraphiteClient
{
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes once every point accepted before the call has been written to the socket (or dropped by the
    /// full-buffer policy), on every destination. Written is not delivered: carbon may not have read the bytes yet (use
    /// <see cref="WaitForDeliveryAsync"/> for that). While carbon is unreachable it waits for the reconnect; use the
    /// token to give up.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the points stay buffered).</param>
    /// <returns>A task that completes when the points are written.</returns>
    /// <exception cref="ObjectDisposedException">The client was closed.</exception>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closeState) != 0, this);
        if (_destinations.Length == 1)
        {
            return _destinations[0].FlushAsync(cancellationToken);
        }

        return Task.WhenAll(_destinations.Select(d => d.FlushAsync(cancellationToken)));
    }

    /// <summary>
    /// Completes once carbon has consumed every point accepted before the call (or the full-buffer policy dropped it),
    /// on every destination. The client writes what is buffered, ends the connection's stream and waits for carbon to
    /// close in turn: carbon closes only after reading everything up to the end of the stream, so its orderly close is
    /// the proof. Then a new connection carries later points (a reconnect per call: use it at checkpoints, such as the
    /// end of a batch job, not per point). When carbon goes away or does not close within
    /// <see cref="GraphiteClientOptions.DeadPeerTimeout"/>, the client reconnects, replays and asks again, for as long as
    /// the token allows. Consumed means read by carbon's process; carbon-cache writes what it read to disk within about a
    /// second (longer under load), and a carbon killed before that loses it, which the client's replay covers while it
    /// runs. Over UDP it completes once the points are sent.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (nothing is lost: the client goes on delivering).</param>
    /// <returns>A task that completes when carbon has consumed the points.</returns>
    /// <exception cref="ObjectDisposedException">The client was closed.</exception>
    /// <exception cref="GraphiteException">The client was closed before carbon confirmed delivery.</exception>
    public Task WaitForDeliveryAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closeState) != 0, this);
        if (_destinations.Length == 1)
        {
            return _destinations[0].WaitForDeliveryAsync(cancellationToken);
        }

        return Task.WhenAll(_destinations.Select(d => d.WaitForDeliveryAsync(cancellationToken)));
    }

    /// <summary>
    /// Stops accepting points, delivers what is buffered within <see cref="GraphiteClientOptions.DrainTimeout"/>
    /// (written, and consumed by carbon: its orderly close after the client's end of stream is the proof), then closes the
    /// connection(s). Points carbon did not consume in time are counted in
    /// <see cref="GraphiteClientStatistics.PointsUndelivered"/>, and unless carbon confirmed the end, points it consumed
    /// but may still lose in <see cref="GraphiteClientStatistics.PointsNotReplayed"/>; both are logged, and with a spool
    /// both stay in it for the next client. Never throws; safe to call twice.
    /// A send after closing throws <see cref="ObjectDisposedException"/>: the client never silently reconnects.
    /// </summary>
    /// <returns>A task that completes when the client is closed.</returns>
    public Task CloseAsync() => CloseAsync(Options.DrainTimeout);

    /// <summary>
    /// Like <see cref="CloseAsync()"/>, with a drain timeout of its own instead of <see cref="GraphiteClientOptions.DrainTimeout"/>
    /// (for example <see cref="TimeSpan.Zero"/> to give up at once on what carbon has not taken yet).
    /// </summary>
    /// <param name="drainTimeout">How long to try to deliver what is buffered.</param>
    /// <returns>A task that completes when the client is closed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="drainTimeout"/> is negative.</exception>
    public Task CloseAsync(TimeSpan drainTimeout)
    {
        if (drainTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(drainTimeout), drainTimeout, "The drain timeout must not be negative.");
        }

        if (Interlocked.Exchange(ref _closeState, 1) == 0)
        {
            _ = CloseCoreAsync(drainTimeout);
        }

        return _closed.Task;
    }

    /// <summary>Same as <see cref="CloseAsync()"/>.</summary>
    /// <returns>A task that completes when the client is closed.</returns>
    public ValueTask DisposeAsync() => new(CloseAsync());

    private async Task CloseCoreAsync(TimeSpan drainTimeout)
    {
        try
        {
            foreach (DestinationSender d in _destinations)
            {
                d.Complete();
            }

            await Task.WhenAll(_destinations.Select(d => d.StopAsync(drainTimeout))).ConfigureAwait(false);
            foreach (DestinationSender d in _destinations)
            {
                GraphiteClientStatistics stats = d.Snapshot(0);
                GraphiteLog.Closed(_log, d.Description, stats.PointsWritten, stats.PointsDelivered, stats.PointsReplayed, stats.PointsDropped);
            }

            _instruments.Dispose();
        }
        finally
        {
            _closed.TrySetResult();
        }
    }
}
