using AioGraphite.Protocols;
using AioGraphite.Spool;

namespace AioGraphite.Pipeline;

/// <summary>
/// The sender's side of the disk spool: its life (the <see cref="SpoolWriter"/> started and stopped with the loop),
/// reading records back into segments when their turn comes, retiring records carbon no longer needs, and closing it.
/// <see cref="None"/> is the null object for a client without a spool. Loop-thread only.
/// </summary>
internal class SpoolCoordinator
{
    /// <summary>No spool: nothing is read back, retired or kept.</summary>
    public static readonly SpoolCoordinator None = new();

    protected SpoolCoordinator()
    {
    }

    /// <summary>Where the buffer hands over records that are on disk only (null: there are none without a spool).</summary>
    public virtual List<SpoolLocation>? FromDisk => null;

    /// <summary>Whether segments are kept on disk (leftovers stay for the next client).</summary>
    public virtual bool KeepsLeftovers => false;

    /// <summary>Starts the spool writer.</summary>
    public virtual void Start()
    {
    }

    /// <summary>
    /// Reads the records taken from the buffer (<see cref="FromDisk"/>) back into segments, oldest first, appended to
    /// <paramref name="pending"/>; a record that no longer reads back is given up (counted, logged, its segment added to
    /// <paramref name="released"/>).
    /// </summary>
    public virtual void ReadBack(List<Batch> pending, List<Batch> released)
    {
    }

    /// <summary>Every record below <paramref name="lowestHeld"/> (the lowest sequence the pipeline still holds) may be deleted.</summary>
    public virtual void Retire(long lowestHeld)
    {
    }

    /// <summary>
    /// Appends and syncs everything sealed so far, then stops the writer, waiting at most <paramref name="timeout"/> (a
    /// disk that hangs); false when the writer was abandoned (the spool is then left to it).
    /// </summary>
    public virtual Task<bool> StopWriterAsync(TimeSpan timeout) => Task.FromResult(true);

    /// <summary>The spool's statistics (zeros without a spool).</summary>
    public virtual GraphiteSpoolStatistics Statistics(PipelineCounters counters) => default;

    /// <summary>Releases the spool of a sender that never started.</summary>
    public virtual void Release()
    {
    }

    /// <summary>Closing: retires what carbon no longer needs, keeps <paramref name="leftovers"/> for the next client, releases the spool.</summary>
    public virtual void Close(in Leftovers leftovers, long lastSequence)
    {
    }
}
