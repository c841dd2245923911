namespace AioGraphite.Pipeline;

/// <summary>A call's name-cache lookups, counted locally and added to <see cref="PipelineCounters"/> once per call.</summary>
internal struct NameLookups
{
    /// <summary>Names found in the cache.</summary>
    public int Hits;

    /// <summary>Names checked in full.</summary>
    public int Misses;
}
