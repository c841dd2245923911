namespace AioGraphite.Pipeline;

/// <summary>
/// Callers waiting until the sender reaches a segment sequence (written, or confirmed delivered). Thread-safe:
/// callers add, the sender loop completes. A wait given up through its token leaves the list at once.
/// </summary>
internal sealed class SequenceWaiters
{
    private readonly List<Waiter> _waiters = [];

    /// <summary>Whether anyone waits.</summary>
    public bool Any
    {
        get
        {
            lock (_waiters)
            {
                return _waiters.Count > 0;
            }
        }
    }

    /// <summary>The highest sequence anyone waits for (0 when none).</summary>
    public long HighestTarget
    {
        get
        {
            lock (_waiters)
            {
                long highest = 0;
                foreach (Waiter w in _waiters)
                {
                    highest = Math.Max(highest, w.Target);
                }

                return highest;
            }
        }
    }

    /// <summary>
    /// A task that completes once <see cref="CompleteUpTo"/> reaches <paramref name="target"/>, or is cancelled (and
    /// forgotten) when <paramref name="cancellationToken"/> is.
    /// </summary>
    public Task Add(long target, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var waiter = new Waiter(this, target);
        lock (_waiters)
        {
            _waiters.Add(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), waiter);
            if (waiter.Task.IsCompleted)
            {
                waiter.Registration.Unregister(); // completed before the registration was stored: its completer missed it
            }
        }

        return waiter.Task;
    }

    /// <summary>Completes every waiter whose target is at or below <paramref name="reached"/>.</summary>
    public void CompleteUpTo(long reached)
    {
        lock (_waiters)
        {
            _waiters.RemoveAll(w =>
            {
                if (w.Target > reached)
                {
                    return false;
                }

                w.Registration.Unregister();
                w.TrySetResult();
                return true;
            });
        }
    }

    /// <summary>Fails every waiter (the client closed).</summary>
    public void FailAll(Exception error)
    {
        lock (_waiters)
        {
            foreach (Waiter w in _waiters)
            {
                w.Registration.Unregister();
                w.TrySetException(error);
            }

            _waiters.Clear();
        }
    }

    /// <summary>Forgets a waiter whose caller gave up.</summary>
    private void Remove(Waiter waiter)
    {
        lock (_waiters)
        {
            _waiters.Remove(waiter);
        }
    }

    /// <summary>One wait: its target, and its registration on the caller's token (unregistered when it completes).</summary>
    private sealed class Waiter(SequenceWaiters owner, long target) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long Target { get; } = target;

        public CancellationTokenRegistration Registration { get; set; }

        /// <summary>The caller's token was cancelled: leaves the list, then cancels the caller's task.</summary>
        public void Cancel(CancellationToken token)
        {
            owner.Remove(this);
            TrySetCanceled(token);
        }
    }
}
