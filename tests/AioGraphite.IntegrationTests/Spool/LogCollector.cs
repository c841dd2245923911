using Microsoft.Extensions.Logging;

namespace AioGraphite.IntegrationTests.Spool;

/// <summary>A logger factory that keeps every entry (event name, level, message) for assertions.</summary>
internal sealed class LogCollector : ILoggerFactory
{
    private readonly Lock _sync = new();
    private readonly List<(string Event, LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(string Event, LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_sync)
            {
                return [.. _entries];
            }
        }
    }

    public int Count(string eventName) => Entries.Count(e => e.Event == eventName);

    public override string ToString() => string.Join('\n', Entries.Select(e => $"{e.Level} {e.Event}: {e.Message}"));

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(LogCollector owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._sync)
            {
                owner._entries.Add((eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), logLevel, formatter(state, exception)));
            }
        }
    }
}
