using Microsoft.Extensions.Logging;

namespace AioGraphite.Cli.Output;

/// <summary>
/// The client's log as far as <c>pipe</c> needs it: whether a connection ever succeeded, and the last connection failure
/// (a <see cref="GraphiteException"/> naming host, port and the reason), to give up at once on a TLS failure. Nothing
/// else is kept or printed.
/// </summary>
internal sealed class ConnectionLog : ILoggerFactory, ILogger
{
    private const string ConnectedEvent = "Connected";
    private const string ConnectFailedEvent = "ConnectFailed";
    private volatile GraphiteException? _lastFailure;
    private volatile bool _everConnected;

    /// <summary>
    /// A TLS failure (a refused certificate, a server that does not speak TLS: a <see cref="GraphiteException"/> without a
    /// socket error) before any connection succeeded: a configuration mistake that retrying will not fix.
    /// </summary>
    public GraphiteException? TlsFailureBeforeConnecting =>
        !_everConnected && _lastFailure is { Host: not null, SocketError: null } failure ? failure : null;

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Name == ConnectedEvent)
        {
            _everConnected = true;
        }
        else if (eventId.Name == ConnectFailedEvent && exception is GraphiteException failure)
        {
            _lastFailure = failure;
        }
    }

    public void Dispose()
    {
    }
}
