namespace AioGraphite;

/// <summary>
/// The state of a <see cref="GraphiteClient"/>'s connection to one destination, as its sender loop last saw it (read it
/// with <see cref="GraphiteClient.GetConnectionStatus"/>). Times are told by the client's
/// <see cref="GraphiteClientOptions.TimeProvider"/>. For health checks and dashboards: the counts are in
/// <see cref="GraphiteClientStatistics"/>.
/// </summary>
public readonly record struct GraphiteConnectionStatus
{
    /// <summary>Whether the client has a connection to carbon (or, over UDP, a socket). Same as <see cref="DisconnectedSince"/> being <see langword="null"/>.</summary>
    public bool IsConnected => DisconnectedSince is null;

    /// <summary>
    /// Since when the client has had no connection: when the last one was lost, or the first attempt after carbon
    /// ended one in order failed, or when the client was created if it has never connected; <see langword="null"/> while
    /// connected. A client that has been closed stays disconnected from its close.
    /// </summary>
    public DateTimeOffset? DisconnectedSince { get; init; }

    /// <summary>
    /// When carbon last consumed points (see <see cref="GraphiteClientStatistics.PointsDelivered"/>); <see langword="null"/>
    /// when it has consumed none yet.
    /// </summary>
    public DateTimeOffset? LastDeliveryTime { get; init; }

    /// <summary>
    /// Whether points that a lost connection may have lost (the replay window and what carbon had not consumed) wait to be
    /// written again: from the loss until they are written on the next connection.
    /// </summary>
    public bool IsReplaying { get; init; }

    /// <summary>Whether the client has connected to carbon at least once (over UDP: opened its socket).</summary>
    public bool HasConnected { get; init; }

    /// <summary>
    /// Why the last attempt to connect failed, naming host, port and the reason (<see cref="GraphiteException.SocketError"/>
    /// is set when a socket error caused it, <see langword="null"/> for a TLS failure such as a refused certificate);
    /// <see langword="null"/> while connected and before an attempt has failed. The client keeps trying with back-off:
    /// this tells a caller (a health check, a command-line tool) why it waits, and lets it give up on a failure that
    /// retrying will not mend, such as a refused certificate before the first connection.
    /// </summary>
    public GraphiteException? LastConnectFailure { get; init; }
}
