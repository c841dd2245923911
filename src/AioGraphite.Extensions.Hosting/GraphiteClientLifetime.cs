using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Extensions.Hosting;

/// <summary>
/// Creates the registered <see cref="GraphiteClient"/> when the host starts (it connects in the background). The client
/// is not closed here but when the host disposes its services: the container disposes singletons in the reverse order
/// of their creation, so every service that took the client (the OpenTelemetry meter provider, whose final export
/// writes through it, and any hosted service) is stopped or disposed first, and the close then delivers what they sent
/// within <see cref="GraphiteClientOptions.DrainTimeout"/>. Only when the host's shutdown timeout has run out (or its stop
/// was cancelled) by the time every hosted service has stopped is the client closed at once
/// (<see cref="IHostedLifecycleService.StoppedAsync"/>), giving up what carbon has not taken, so that the shutdown does
/// not wait any longer.
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

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (!cancellationToken.IsCancellationRequested)
        {
            return Task.CompletedTask; // the host closes the client when it disposes it, after its other users
        }

        // The host's shutdown timeout has run out: do not make it wait DrainTimeout more. Never throws.
        ShutdownTimedOut(_log, _client.Host, _client.Port, _client.Statistics.BufferedPoints);
        return _client.CloseAsync(TimeSpan.Zero);
    }

    [LoggerMessage(EventId = 102, EventName = "ShutdownTimedOut", Level = LogLevel.Warning, Message = "The host's shutdown timeout ran out (or its stop was cancelled) before its services had stopped; closing the Graphite client for {Host}:{Port} without waiting for delivery ({Buffered} point(s) still buffered)")]
    private static partial void ShutdownTimedOut(ILogger logger, string host, int port, long buffered);
}
