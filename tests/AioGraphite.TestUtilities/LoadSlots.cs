namespace AioGraphite.TestUtilities;

/// <summary>
/// A machine-wide limit on how many CPU-heavy test phases run at once (a fault test's 5-second stream of 12,000
/// points/s costs the client and carbon about half a core). The fault tests run in parallel because they mostly
/// wait through outages; without this their streams would all start together and starve every other test of a
/// small machine. One slot per core, shared by all test processes through byte-range locks on one file.
/// </summary>
public static class LoadSlots
{
    /// <summary>The machine's pool: one slot per core, shared through a lock file in the temporary directory.</summary>
    public static LoadSlotPool Machine { get; } = new(
        Math.Max(1, Environment.ProcessorCount), Path.Combine(Path.GetTempPath(), "aiographite-test-load.lock"));

    /// <summary>Waits for a free slot of the machine's pool; dispose the result to give it back.</summary>
    /// <param name="cancellationToken">Gives up waiting.</param>
    /// <returns>The slot.</returns>
    public static Task<IDisposable> AcquireAsync(CancellationToken cancellationToken = default) => Machine.AcquireAsync(cancellationToken);
}
