namespace AioGraphite.Pipeline;

/// <summary>
/// How far the sender has come, in segment sequences, and the callers waiting for it: <see cref="FlushAsync"/> until
/// what they sent is written, <see cref="WaitForDeliveryAsync"/> until carbon confirmed consuming it. Callers add
/// waiters from any thread; the sender loop advances the two marks.
/// </summary>
internal sealed class DeliveryProgress
{
    private readonly SequenceWaiters _flushWaiters = new();
    private readonly SequenceWaiters _deliveryWaiters = new();
    private long _writtenSequence;   // every sealed segment up to it is written (or was dropped)
    private long _confirmedSequence; // every sealed segment up to it is confirmed consumed by carbon's orderly close

    /// <summary>Every sealed segment up to it is written or was dropped.</summary>
    public long WrittenSequence => Volatile.Read(ref _writtenSequence);

    /// <summary>The highest sequence a delivery waiter waits for (0 when none).</summary>
    public long HighestDeliveryTarget => _deliveryWaiters.HighestTarget;

    /// <summary>Completes once <paramref name="target"/> is written.</summary>
    public Task FlushAsync(long target, Action wake, CancellationToken cancellationToken) =>
        WaitUntilAsync(_flushWaiters, ref _writtenSequence, target, wake, cancellationToken);

    /// <summary>Completes once carbon confirmed consuming <paramref name="target"/>.</summary>
    public Task WaitForDeliveryAsync(long target, Action wake, CancellationToken cancellationToken) =>
        WaitUntilAsync(_deliveryWaiters, ref _confirmedSequence, target, wake, cancellationToken);

    /// <summary>Every sealed segment up to <paramref name="sequence"/> is written or was dropped.</summary>
    public void Written(long sequence)
    {
        Advance(ref _writtenSequence, sequence);
        _flushWaiters.CompleteUpTo(Volatile.Read(ref _writtenSequence));
    }

    /// <summary>carbon confirmed consuming every sealed segment up to <paramref name="sequence"/>.</summary>
    public void Confirmed(long sequence)
    {
        Advance(ref _confirmedSequence, sequence);
        _deliveryWaiters.CompleteUpTo(Volatile.Read(ref _confirmedSequence));
    }

    /// <summary>The client closed: every waiter fails with the reason.</summary>
    public void FailAll(Exception notWritten, Exception notConfirmed)
    {
        _flushWaiters.FailAll(notWritten);
        _deliveryWaiters.FailAll(notConfirmed);
    }

    private static void Advance(ref long mark, long sequence)
    {
        if (sequence > Volatile.Read(ref mark))
        {
            Volatile.Write(ref mark, sequence);
        }
    }

    private static Task WaitUntilAsync(SequenceWaiters waiters, ref long reached, long target, Action wake, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref reached) >= target)
        {
            return Task.CompletedTask;
        }

        Task done = waiters.Add(target, cancellationToken); // a cancelled wait leaves the list (it would stay there otherwise)
        wake();
        waiters.CompleteUpTo(Volatile.Read(ref reached)); // the loop may have passed the target before the waiter was added
        return done;
    }
}
