using System.Threading.Channels;

namespace AioGraphite.Pipeline;

/// <summary>
/// Wakes one background loop (the sender's or the spool writer's): any thread sets it, cheaply and without blocking; the
/// loop waits for it, for another event or for a deadline, and clears it. Sets while it is set are one.
/// </summary>
internal sealed class WakeSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Whether it is set (not cleared since).</summary>
    public bool IsSet => _channel.Reader.Count > 0;

    /// <summary>Sets it (never blocks).</summary>
    public void Set() => _channel.Writer.TryWrite(true);

    /// <summary>Clears it.</summary>
    public void Clear() => _channel.Reader.TryRead(out _);

    /// <summary>
    /// Waits until it is set, <paramref name="other"/> completes or <paramref name="due"/> passes on
    /// <paramref name="time"/> (<see langword="null"/>: no deadline; zero or less: no wait), then clears it.
    /// </summary>
    /// <returns>Whether the deadline passed first.</returns>
    public async Task<bool> WaitAsync(TimeSpan? due, TimeProvider time, Task? other = null)
    {
        bool deadlinePassed = false;
        ValueTask<bool> set = _channel.Reader.WaitToReadAsync(CancellationToken.None);
        if (!set.IsCompleted && due is not { Ticks: <= 0 })
        {
            Task wake = set.AsTask();
            if (due is not { } limit)
            {
                await (other is null ? wake : Task.WhenAny(wake, other)).ConfigureAwait(false);
            }
            else
            {
                using var cancelDelay = new CancellationTokenSource();
                Task delay = Task.Delay(limit, time, cancelDelay.Token);
                Task first = await (other is null ? Task.WhenAny(wake, delay) : Task.WhenAny(wake, other, delay)).ConfigureAwait(false);
                deadlinePassed = first == delay;
                await cancelDelay.CancelAsync().ConfigureAwait(false);
            }
        }

        Clear();
        return deadlinePassed;
    }
}
