namespace AioGraphite.Pipeline;

/// <summary>
/// What <see cref="GraphiteConnectionStatus"/> reports for one destination, kept by its sender loop (the
/// <see cref="ConnectionManager"/> for connects and losses, the <see cref="SenderLoop"/> for deliveries and replay) and
/// read by any thread. Times are UTC ticks of the client's clock, 0 for none; each event is one clock read and a
/// volatile write, none of them on the send path.
/// </summary>
internal sealed class ConnectionStatusRecorder
{
    private readonly TimeProvider _time;
    private long _disconnectedSince;
    private long _lastDelivery;
    private volatile bool _replaying;
    private volatile bool _hasConnected;
    private volatile GraphiteException? _lastConnectFailure;

    /// <summary>Starts disconnected since now (the client is being created).</summary>
    public ConnectionStatusRecorder(TimeProvider time)
    {
        _time = time;
        _disconnectedSince = UtcTicks();
    }

    /// <summary>A connection was opened.</summary>
    public void Connected()
    {
        _lastConnectFailure = null;
        _hasConnected = true;
        Volatile.Write(ref _disconnectedSince, 0);
    }

    /// <summary>An attempt to connect failed with <paramref name="failure"/>.</summary>
    public void ConnectFailed(GraphiteException failure)
    {
        _lastConnectFailure = failure;
        Disconnected();
    }

    /// <summary>There is no connection (lost, or an attempt failed); keeps the earliest time of an outage.</summary>
    public void Disconnected()
    {
        if (Volatile.Read(ref _disconnectedSince) == 0)
        {
            Volatile.Write(ref _disconnectedSince, UtcTicks());
        }
    }

    /// <summary>carbon consumed points just now.</summary>
    public void Delivered() => Volatile.Write(ref _lastDelivery, UtcTicks());

    /// <summary>Whether points of a lost connection wait to be written again.</summary>
    public void Replaying(bool replaying) => _replaying = replaying;

    /// <summary>The status now.</summary>
    public GraphiteConnectionStatus Read() => new()
    {
        DisconnectedSince = ToTime(Volatile.Read(ref _disconnectedSince)),
        LastDeliveryTime = ToTime(Volatile.Read(ref _lastDelivery)),
        IsReplaying = _replaying,
        HasConnected = _hasConnected,
        LastConnectFailure = _lastConnectFailure,
    };

    private static DateTimeOffset? ToTime(long utcTicks) => utcTicks == 0 ? null : new DateTimeOffset(utcTicks, TimeSpan.Zero);

    private long UtcTicks() => _time.GetUtcNow().UtcTicks;
}
