using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Extensions.Hosting;

/// <summary>
/// Creates the registered <see cref="GraphiteClient"/> when the host starts (it connects in the background) and
/// flushes and closes it once every hosted service has stopped (<see cref="IHostedLifecycleService.StoppedAsync"/>),
/// so points sent by other services while they stop are delivered too.
/// </summary>
internal sealed partial class GraphiteClientLifetime : IHostedLifecycleService
{
    private readonly GraphiteClient _client;
    private readonly ILogger<GraphiteClientLifetime> _log;

    public GraphiteClientLifetime(GraphiteClient client, ILogger<GraphiteClientLifetime> log)
    {
        _client = client;
        _log = log;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        long buffered = _client.Statistics.BufferedPoints;
        try
        {
            // CloseAsync delivers what is buffered within DrainTimeout; the host's shutdown timeout bounds the wait.
            await _client.CloseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ShutdownTimedOut(_log, _client.Host, _client.Port, _client.Statistics.BufferedPoints);
            return;
        }

        GraphiteClientStatistics stats = _client.Statistics;
        Flushed(_log, _client.Host, _client.Port, buffered, stats.PointsWritten, stats.PointsUndelivered);
    }

    [LoggerMessage(EventId = 101, EventName = "ShutdownFlushed", Level = LogLevel.Debug, Message = "Flushed the Graphite client for {Host}:{Port} on shutdown ({Buffered} point(s) were buffered; {Written} written in total, {Undelivered} undelivered)")]
    private static partial void Flushed(ILogger logger, string host, int port, long buffered, long written, long undelivered);

    [LoggerMessage(EventId = 102, EventName = "ShutdownTimedOut", Level = LogLevel.Warning, Message = "The host's shutdown timeout expired while flushing the Graphite client for {Host}:{Port}; {Buffered} point(s) still buffered")]
    private static partial void ShutdownTimedOut(ILogger logger, string host, int port, long buffered);
}
