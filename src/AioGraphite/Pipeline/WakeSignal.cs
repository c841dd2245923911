namespace AioGraphite.Pipeline;

/// <summary>
/// Wakes one background loop (the sender's or the spool writer's): any thread sets it, cheaply and without blocking; the
/// loop waits for it, for another event or for a deadline, and clears it. Sets while it is set are one.
/// </summary>
/// <remarks>
/// An auto-reset flag with at most one waiter at a time (the loop that owns it). A wait leaves nothing behind, whatever
/// ended it: its completion source is dropped, its timer disposed, and its continuation on the other task removed (by
/// <see cref="Task.WhenAny(Task, Task)"/>). A set while the flag is already set is a read and nothing else.
/// </remarks>
internal sealed class WakeSignal
{
    private const int Unset = 0;
    private const int Signaled = 1;

    /// <summary>Completes a wait because its deadline passed (the timer's callback; its state is the wait's completion source).</summary>
    private static readonly TimerCallback DeadlinePassed = static state => ((TaskCompletionSource<bool>)state!).TrySetResult(true);

    private readonly Waker _waker;
    private int _state;
    private TaskCompletionSource<bool>? _waiter; // the current wait, if any; true = its deadline passed

    public WakeSignal() => _waker = new Waker(this);

    /// <summary>Whether it is set (not cleared since).</summary>
    public bool IsSet => Volatile.Read(ref _state) == Signaled;

    /// <summary>Sets it and wakes the wait, if any (never blocks; a read only when it is already set).</summary>
    public void Set()
    {
        if (Volatile.Read(ref _state) == Signaled || Interlocked.Exchange(ref _state, Signaled) == Signaled)
        {
            return;
        }

        // The waiter publishes itself before it looks at the state, and this looks for it after setting the state (both
        // with full fences): either the waiter sees the flag, or this sees the waiter. The wait is completed on the thread
        // pool, not here: completing it runs (or queues, allocating) its continuations, and a producer calling Set must
        // neither run the loop nor allocate. A stale completion (the wait ended and another began) is a spurious wake-up.
        if (Volatile.Read(ref _waiter) is not null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_waker, preferLocal: false);
        }
    }

    /// <summary>Clears it.</summary>
    public void Clear() => Volatile.Write(ref _state, Unset);

    /// <summary>
    /// Waits until it is set, <paramref name="other"/> completes or <paramref name="due"/> passes on
    /// <paramref name="time"/> (<see langword="null"/>: no deadline; zero or less: no wait), then clears it. One caller at
    /// a time.
    /// </summary>
    /// <returns>Whether the deadline passed first.</returns>
    public Task<bool> WaitAsync(TimeSpan? due, TimeProvider time, Task? other = null)
    {
        if (IsSet || due is { Ticks: <= 0 } || other is { IsCompleted: true })
        {
            Clear();
            return Task.FromResult(false);
        }

        return WaitCoreAsync(due, time, other);
    }

    private async Task<bool> WaitCoreAsync(TimeSpan? due, TimeProvider time, Task? other)
    {
        var waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _waiter, waiter);
        ITimer? timer = null;
        try
        {
            if (IsSet)
            {
                waiter.TrySetResult(false); // set before the waiter was published: Set may not have seen it
            }
            else if (due is { } limit)
            {
                timer = time.CreateTimer(DeadlinePassed, waiter, limit, Timeout.InfiniteTimeSpan);
            }

            if (other is null)
            {
                return await waiter.Task.ConfigureAwait(false);
            }

            Task first = await Task.WhenAny(waiter.Task, other).ConfigureAwait(false);
            return first == waiter.Task && waiter.Task.Result;
        }
        finally
        {
            timer?.Dispose();
            Interlocked.CompareExchange(ref _waiter, null, waiter);
            Clear();
        }
    }

    /// <summary>Completes the current wait, from the thread pool (one instance per signal: queuing it allocates nothing).</summary>
    private sealed class Waker(WakeSignal signal) : IThreadPoolWorkItem
    {
        public void Execute() => Volatile.Read(ref signal._waiter)?.TrySetResult(false);
    }
}
