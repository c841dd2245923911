namespace AioGraphite.Tests.Support;

/// <summary>
/// Bytes allocated on the calling thread (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), for the allocation
/// guards. They measure in rounds and assert on the round that allocated least: code that allocates per call, per point
/// or per segment does so in every round, while the runtime may allocate once on the thread (the JIT's tiers, a first
/// call into the thread pool) in one of them.
/// </summary>
internal static class ThreadAllocations
{
    /// <summary>The bytes <paramref name="action"/> allocated on this thread.</summary>
    public static long Of(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>The bytes each of <paramref name="rounds"/> runs of <paramref name="round"/> allocated on this thread, in order.</summary>
    public static long[] InRounds(int rounds, Action round) => [.. Enumerable.Range(0, rounds).Select(_ => Of(round))];
}
