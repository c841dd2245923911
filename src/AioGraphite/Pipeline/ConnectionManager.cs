using AioGraphite.Diagnostics;
using AioGraphite.Transport;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Pipeline;

/// <summary>
/// The sender's connection to one destination: opens it through the <see cref="ConnectionFactory"/>, retries with the
/// capped, jittered <see cref="ReconnectBackoff"/> on the client's clock, and remembers whether the last connection was
/// lost (the next one is a reconnect that replays) or ended in order. Loop-thread only, except <see cref="IsConnected"/>.
/// <para>
/// A connection counts as a success only once carbon is seen consuming on it (<see cref="Proven"/>): a TLS terminator
/// or relay whose carbon is down accepts and then closes at once, and treating that as a success would reconnect (and
/// replay) without end. Such a connection is a failed attempt: the back-off is not reset, and the next attempt waits.
/// Until carbon is seen consuming on a connection that follows a lost one it is <see cref="Probing"/>.
/// </para>
/// </summary>
internal sealed class ConnectionManager
{
    private readonly ConnectionFactory _factory;
    private readonly ReconnectBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private GraphiteConnection? _current;
    private volatile bool _connected;
    private bool _everConnected;
    private bool _lost;
    private bool _proven;
    private bool _waitBeforeConnect;

    public ConnectionManager(ConnectionFactory factory, ReconnectBackoff backoff, TimeProvider time, ILogger log)
    {
        _factory = factory;
        _backoff = backoff;
        _time = time;
        _log = log;
        Status = new ConnectionStatusRecorder(time);
    }

    /// <summary>The open connection, if any.</summary>
    public GraphiteConnection? Current => _current;

    /// <summary>Whether a connection is open (read by producers deciding between back-pressure and the drop policy).</summary>
    public bool IsConnected => _connected;

    /// <summary><c>host:port</c>, for logs and errors.</summary>
    public string Description => _factory.Description;

    /// <summary>Connected since when, last delivery, replay: what <see cref="GraphiteConnectionStatus"/> reports.</summary>
    public ConnectionStatusRecorder Status { get; }

    /// <summary>Attempts the last successful connection took.</summary>
    public int AttemptsToConnect { get; private set; }

    /// <summary>
    /// Whether the open connection follows a lost one and carbon has not yet been seen consuming on it: the sender writes
    /// one segment at a time until it has (the replay set is not poured into a connection that may close at once).
    /// </summary>
    public bool Probing => _current is not null && !_proven && _lost;

    /// <summary>carbon consumed bytes on the open connection (or confirmed them): the connection works; the back-off starts over.</summary>
    public void Proven()
    {
        if (!_proven)
        {
            _proven = true;
            _lost = false;
            _backoff.Reset();
        }
    }

    /// <summary>Takes a connection opened before the loop started (<c>GraphiteClient.ConnectAsync</c>).</summary>
    public void Adopt(GraphiteConnection connection)
    {
        _current = connection;
        _proven = false;
        _connected = true;
        _everConnected = true;
        Status.Connected();
        GraphiteLog.Connected(_log, _factory.Description, _factory.TransportName);
    }

    /// <summary>One attempt; on failure logs it and waits the back-off delay (cut short by <paramref name="stop"/>).</summary>
    public async ValueTask<ConnectOutcome> ConnectAsync(CancellationToken stop)
    {
        if (_waitBeforeConnect)
        {
            // The last connection closed before carbon consumed anything on it: a failed attempt.
            _waitBeforeConnect = false;
            TimeSpan delay = _backoff.NextDelay();
            GraphiteLog.ClosedBeforeConsuming(_log, _factory.Description, (long)delay.TotalMilliseconds, _backoff.Attempts);
            if (!await DelayAsync(delay, stop).ConfigureAwait(false))
            {
                return ConnectOutcome.Failed;
            }
        }

        try
        {
            _current = await _factory.ConnectAsync(stop).ConfigureAwait(false);
        }
        catch (GraphiteException ex)
        {
            Status.ConnectFailed(ex);
            TimeSpan delay = _backoff.NextDelay();
            GraphiteLog.ConnectFailed(_log, _factory.Description, (long)delay.TotalMilliseconds, _backoff.Attempts, ex);
            await DelayAsync(delay, stop).ConfigureAwait(false);
            return ConnectOutcome.Failed;
        }
        catch (OperationCanceledException)
        {
            return ConnectOutcome.Failed;
        }

        _connected = true;
        _proven = false;
        Status.Connected();
        AttemptsToConnect = _backoff.Attempts + 1;
        if (!_everConnected)
        {
            _everConnected = true;
            GraphiteLog.Connected(_log, _factory.Description, _factory.TransportName);
            return ConnectOutcome.First;
        }

        return _lost ? ConnectOutcome.Reconnected : ConnectOutcome.Renewed;
    }

    /// <summary>
    /// The connection broke: it is closed, and the next connection replays. One on which carbon never consumed anything
    /// was a failed attempt: the next one waits for the back-off.
    /// </summary>
    public ValueTask LostAsync()
    {
        if (_current is not null && !_proven)
        {
            _waitBeforeConnect = true;
        }

        _lost = true;
        Status.Disconnected();
        return CloseCurrentAsync();
    }

    /// <summary>The connection ended in order (carbon confirmed delivery): the next connection is opened at once and replays nothing.</summary>
    public ValueTask EndedAsync()
    {
        Proven();
        return CloseCurrentAsync();
    }

    /// <summary>Waits <paramref name="delay"/> on the client's clock; false when <paramref name="stop"/> cut it short.</summary>
    private async ValueTask<bool> DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, _time, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async ValueTask CloseCurrentAsync()
    {
        _connected = false;
        if (_current is not null)
        {
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
        }
    }
}
