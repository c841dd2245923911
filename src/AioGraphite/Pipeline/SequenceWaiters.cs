namespace AioGraphite.Pipeline;

/// <summary>
/// Callers waiting until the sender reaches a segment sequence (written, or confirmed delivered). Thread-safe:
/// callers add, the sender loop completes.
/// </summary>
internal sealed class SequenceWaiters
{
    private readonly List<(long Target, TaskCompletionSource Done)> _waiters = [];

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
                foreach ((long target, TaskCompletionSource _) in _waiters)
                {
                    highest = Math.Max(highest, target);
                }

                return highest;
            }
        }
    }

    /// <summary>A task that completes once <see cref="CompleteUpTo"/> reaches <paramref name="target"/>.</summary>
    public Task Add(long target)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            _waiters.Add((target, done));
        }

        return done.Task;
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

                w.Done.TrySetResult();
                return true;
            });
        }
    }

    /// <summary>Fails every waiter (the client closed).</summary>
    public void FailAll(Exception error)
    {
        lock (_waiters)
        {
            foreach ((long _, TaskCompletionSource done) in _waiters)
            {
                done.TrySetException(error);
            }

            _waiters.Clear();
        }
    }
}
