namespace AioGraphite.Pipeline;

/// <summary>Where a sealed batch's bytes are kept, when the client has a disk spool.</summary>
internal enum BatchDurability
{
    /// <summary>In memory only (no spool, or the spool was unavailable when it was sealed).</summary>
    MemoryOnly,

    /// <summary>Waiting for the spool writer: not to be sent, dropped or evicted until it is on disk.</summary>
    Pending,

    /// <summary>On disk too: it may leave memory (evicted) and be read back before it is sent.</summary>
    Spooled,
}
