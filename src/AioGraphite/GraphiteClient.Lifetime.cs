using AioGraphite.Diagnostics;
using AioGraphite.Pipeline;

namespace AioGraphite;

/// <content>Flushing and closing.</content>
public sealed partial class GraphiteClient
{
    /// <summary>
    /// Completes once every point accepted before the call has been written to the socket (or dropped by the
    /// full-buffer policy), on every destination. While carbon is unreachable it waits for the reconnect; use the
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
            return _destinations[0].Loop.FlushAsync(cancellationToken);
        }

        return Task.WhenAll(_destinations.Select(d => d.Loop.FlushAsync(cancellationToken)));
    }

    /// <summary>
    /// Stops accepting points, delivers what is buffered within <see cref="GraphiteClientOptions.DrainTimeout"/>,
    /// then closes the connection(s). Points that could not be delivered are counted in
    /// <see cref="GraphiteClientStatistics.PointsUndelivered"/> and logged. Never throws; safe to call twice.
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
            Volatile.Write(ref _closeTask, CloseCoreAsync(drainTimeout));
        }

        return Volatile.Read(ref _closeTask) ?? WaitForCloseAsync();
    }

    /// <summary>Same as <see cref="CloseAsync()"/>.</summary>
    /// <returns>A task that completes when the client is closed.</returns>
    public ValueTask DisposeAsync() => new(CloseAsync());

    private async Task WaitForCloseAsync()
    {
        while (Volatile.Read(ref _closeTask) is null)
        {
            await Task.Yield();
        }

        await _closeTask!.ConfigureAwait(false);
    }

    private async Task CloseCoreAsync(TimeSpan drainTimeout)
    {
        foreach (Destination d in _destinations)
        {
            d.Buffer.Complete();
        }

        await Task.WhenAll(_destinations.Select(d => d.Loop.StopAsync(drainTimeout))).ConfigureAwait(false);
        foreach (Destination d in _destinations)
        {
            GraphiteClientStatistics stats = d.Statistics.Snapshot(d.Buffer, 0);
            GraphiteLog.Closed(_log, d.Connector.Description, stats.PointsWritten, stats.PointsReplayed, stats.PointsDropped);
        }

        _instruments.Dispose();
    }
}
