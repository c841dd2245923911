namespace AioGraphite;

/// <summary>
/// The ports carbon listens on by default (graphite-carbon's <c>carbon.conf</c>), and the one a client uses for a
/// protocol when no port is given.
/// </summary>
public static class GraphiteDefaultPorts
{
    /// <summary>carbon's line receiver (<c>LINE_RECEIVER_PORT</c>), for <see cref="PlaintextProtocol"/> over TCP: 2003.</summary>
    public const int Plaintext = 2003;

    /// <summary>carbon's pickle receiver (<c>PICKLE_RECEIVER_PORT</c>), for <see cref="PickleProtocol"/>: 2004.</summary>
    public const int Pickle = 2004;

    /// <summary>carbon's UDP receiver (<c>UDP_RECEIVER_PORT</c>), which reads the line protocol: 2003.</summary>
    public const int Udp = 2003;

    /// <summary>The default port for <paramref name="protocol"/> over <paramref name="transport"/>.</summary>
    /// <param name="protocol">The protocol; <see langword="null"/> means <see cref="PlaintextProtocol"/>, the client's default.</param>
    /// <param name="transport">The transport.</param>
    /// <returns>
    /// <see cref="Udp"/> over <see cref="GraphiteTransport.Udp"/>; otherwise <see cref="Pickle"/> for a
    /// <see cref="PickleProtocol"/> and <see cref="Plaintext"/> for any other protocol.
    /// </returns>
    public static int For(IGraphiteProtocol? protocol, GraphiteTransport transport = GraphiteTransport.Tcp) =>
        transport == GraphiteTransport.Udp ? Udp
        : protocol is PickleProtocol ? Pickle
        : Plaintext;
}
