namespace AioGraphite.Transport;

/// <summary>What a connection knows about carbon having read what was written to it.</summary>
internal enum DeliveryEvidence
{
    /// <summary>Nothing (UDP): a written datagram counts as delivered.</summary>
    None,

    /// <summary>Bytes count as consumed when the write returns (no kernel counters on this platform).</summary>
    WriteTime,

    /// <summary>The kernel's TCP counters (Linux <c>TCP_INFO</c>): acknowledged bytes and the peer's receive window.</summary>
    Kernel,
}
