using AioGraphite.Diagnostics;
using AioGraphite.Transport;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Pipeline;

/// <summary>
/// The sender's connection to one destination: opens it through the <see cref="ConnectionFactory"/>, retries with the
/// capped, jittered <see cref="ReconnectBackoff"/> on the client's clock, and remembers whether the last connection was
/// lost (the next one is a reconnect that replays) or ended in order. Loop-thread only, except <see cref="IsConnected"/>.
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

    /// <summary>Takes a connection opened before the loop started (<c>GraphiteClient.ConnectAsync</c>).</summary>
    public void Adopt(GraphiteConnection connection)
    {
        _current = connection;
        _connected = true;
        _everConnected = true;
        Status.Connected();
        GraphiteLog.Connected(_log, _factory.Description, _factory.TransportName);
    }

    /// <summary>One attempt; on failure logs it and waits the back-off delay (cut short by <paramref name="stop"/>).</summary>
    public async ValueTask<ConnectOutcome> ConnectAsync(CancellationToken stop)
    {
        try
        {
            _current = await _factory.ConnectAsync(stop).ConfigureAwait(false);
        }
        catch (GraphiteException ex)
        {
            Status.ConnectFailed(ex);
            TimeSpan delay = _backoff.NextDelay();
            GraphiteLog.ConnectFailed(_log, _factory.Description, (long)delay.TotalMilliseconds, _backoff.Attempts, ex);
            try
            {
                await Task.Delay(delay, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return ConnectOutcome.Failed;
        }
        catch (OperationCanceledException)
        {
            return ConnectOutcome.Failed;
        }

        _connected = true;
        Status.Connected();
        AttemptsToConnect = _backoff.Attempts + 1;
        _backoff.Reset();
        if (!_everConnected)
        {
            _everConnected = true;
            GraphiteLog.Connected(_log, _factory.Description, _factory.TransportName);
            return ConnectOutcome.First;
        }

        bool lost = _lost;
        _lost = false;
        return lost ? ConnectOutcome.Reconnected : ConnectOutcome.Renewed;
    }

    /// <summary>The connection broke: it is closed, and the next connection replays.</summary>
    public ValueTask LostAsync()
    {
        _lost = true;
        Status.Disconnected();
        return CloseCurrentAsync();
    }

    /// <summary>The connection ended in order (carbon confirmed delivery): the next connection is opened at once and replays nothing.</summary>
    public ValueTask EndedAsync() => CloseCurrentAsync();

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
