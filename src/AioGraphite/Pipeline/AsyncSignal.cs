namespace AioGraphite.Pipeline;

/// <summary>A pulse many waiters can await: every <see cref="Pulse"/> releases the current waiters.</summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task WaitAsync() => Volatile.Read(ref _tcs).Task;

    public void Pulse() =>
        Interlocked.Exchange(ref _tcs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
