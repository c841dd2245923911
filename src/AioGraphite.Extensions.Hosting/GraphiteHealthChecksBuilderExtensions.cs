using AioGraphite;
using AioGraphite.Extensions.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Graphite health check to an <see cref="IHealthChecksBuilder"/>.</summary>
/// <example>
/// <code>
/// builder.Services.AddGraphite(builder.Configuration.GetSection("Graphite"));
/// builder.Services.AddHealthChecks().AddGraphite(tags: ["ready"]);
/// app.MapHealthChecks("/health");
/// </code>
/// </example>
public static class GraphiteHealthChecksBuilderExtensions
{
    /// <summary>The default name of the check, and of its <see cref="GraphiteHealthCheckOptions"/>: <c>graphite</c>.</summary>
    public const string DefaultName = "graphite";

    /// <summary>
    /// Adds a health check of the registered <see cref="GraphiteClient"/> (the one <c>services.AddGraphite(...)</c>
    /// registers, or any singleton): Healthy while points flow, Degraded while reconnecting, replaying or with a buffer
    /// above its threshold, the failure status when carbon has been unreachable too long or points were dropped; its
    /// data holds the figures (per destination: connected, disconnected since, replaying, buffered bytes; in all: points
    /// delivered, dropped, replayed, buffered, in flight, reconnects, last delivery). The thresholds are the
    /// <see cref="GraphiteHealthCheckOptions"/> named <paramref name="name"/> (bind them with
    /// <c>services.AddOptions&lt;GraphiteHealthCheckOptions&gt;("graphite").BindConfiguration("Graphite:Health")</c>).
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default <c>graphite</c>.</param>
    /// <param name="failureStatus">What a failure reports; <see langword="null"/> for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (for example <c>ready</c> for a readiness probe).</param>
    /// <param name="timeout">How long the check may take; <see langword="null"/> for no limit (it never waits).</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IHealthChecksBuilder AddGraphite(this IHealthChecksBuilder builder, string name = DefaultName, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null) =>
        AddGraphite(builder, configure: null, name, failureStatus, tags, timeout);

    /// <summary>
    /// Adds the Graphite health check (see <see cref="AddGraphite(IHealthChecksBuilder, string, HealthStatus?, IEnumerable{string}?, TimeSpan?)"/>)
    /// with thresholds set by <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Sets the thresholds (after any bound from configuration); may be <see langword="null"/>.</param>
    /// <param name="name">The check's name. Default <c>graphite</c>.</param>
    /// <param name="failureStatus">What a failure reports; <see langword="null"/> for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <param name="timeout">How long the check may take; <see langword="null"/> for no limit.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IHealthChecksBuilder AddGraphite(this IHealthChecksBuilder builder, Action<GraphiteHealthCheckOptions>? configure, string name = DefaultName, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (configure is not null)
        {
            builder.Services.Configure(name, configure);
        }

        var drops = new DroppedPointsWatch();
        return builder.Add(new HealthCheckRegistration(
            name,
            services => new GraphiteHealthCheck(
                services.GetRequiredService<GraphiteClient>(),
                services.GetRequiredService<IOptionsMonitor<GraphiteHealthCheckOptions>>().Get(name),
                drops),
            failureStatus,
            tags,
            timeout));
    }
}
