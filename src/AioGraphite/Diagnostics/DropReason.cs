namespace AioGraphite.Diagnostics;

/// <summary>Why points were dropped; the values are the <c>reason</c> tag of the <c>aiographite.points.dropped</c> counter.</summary>
internal static class DropReason
{
    /// <summary>The buffer was full (policy DropNewest or DropOldest, or Wait timed out, or TrySend found it full).</summary>
    public const string BufferFull = "buffer_full";

    /// <summary>The point was rejected at the API edge (bad name, non-finite value, negative timestamp).</summary>
    public const string Invalid = "invalid";

    /// <summary>The client closed before carbon consumed the point (drain timeout).</summary>
    public const string CloseTimeout = "close_timeout";

    /// <summary>A UDP datagram could not be sent.</summary>
    public const string TransportError = "transport_error";

    /// <summary>The connection was lost before carbon consumed the point, and replay is off.</summary>
    public const string ConnectionLost = "connection_lost";

    /// <summary>
    /// The client closed without a clean end and without a spool, holding points carbon had read but may have lost (its
    /// connection was lost, or it had not been seen running for the replay window since): they were not sent again.
    /// </summary>
    public const string NotReplayed = "not_replayed";

    /// <summary>A spooled record no longer matched its checksum when read back.</summary>
    public const string SpoolCorrupt = "spool_corrupt";
}
