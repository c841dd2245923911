using Xunit;

namespace AioGraphite.Tests.Support;

/// <summary>
/// The managed heap that survives full collections, for tests that guard against leaks (never against time). Such tests
/// run in the <see cref="RetainedMemoryCollection"/>, alone, so that other tests' objects do not come and go meanwhile.
/// </summary>
internal static class RetainedMemory
{
    /// <summary>Growth of the live heap that counts as a leak in these tests: 1 MiB.</summary>
    public const long MaxGrowthBytes = 1 << 20;

    /// <summary>The live managed heap after full, compacting collections (finalizers run in between).</summary>
    public static long Measure()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

/// <summary>Tests that measure the live heap: run after the parallel ones, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RetainedMemoryCollection
{
    public const string Name = "Retained memory";
}
