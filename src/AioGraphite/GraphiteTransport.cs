namespace AioGraphite;

/// <summary>How bytes travel to carbon.</summary>
public enum GraphiteTransport
{
    /// <summary>A TCP connection (default): reconnect, replay and flush guarantees apply.</summary>
    Tcp = 0,

    /// <summary>
    /// UDP datagrams to carbon's UDP listener (plaintext only): fire and forget. Every datagram holds whole
    /// lines and is at most <see cref="GraphiteClientOptions.MaxDatagramBytes"/> bytes; nothing is replayed.
    /// </summary>
    Udp = 1,
}
