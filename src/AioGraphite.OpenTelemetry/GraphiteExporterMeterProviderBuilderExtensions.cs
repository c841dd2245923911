using System.Diagnostics.Metrics;
using AioGraphite.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpenTelemetry.Metrics;

/// <summary>Adds the Graphite exporter to a <see cref="MeterProviderBuilder"/>.</summary>
/// <example>
/// <code>
/// builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
///     .AddAspNetCoreInstrumentation()
///     .AddGraphiteExporter(o =>
///     {
///         o.Host = "carbon.example.com";
///         o.NameMapper = new GraphiteMetricNameMapper { Prefix = "shop" };
///     }));
/// </code>
/// </example>
public static class GraphiteExporterMeterProviderBuilderExtensions
{
    /// <summary>Adds the Graphite exporter with the options registered for <see cref="GraphiteExporterOptions"/> (e.g. bound from configuration).</summary>
    /// <param name="builder">The builder.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static MeterProviderBuilder AddGraphiteExporter(this MeterProviderBuilder builder) => AddGraphiteExporter(builder, name: null, configure: null);

    /// <summary>Adds the Graphite exporter.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static MeterProviderBuilder AddGraphiteExporter(this MeterProviderBuilder builder, Action<GraphiteExporterOptions> configure) => AddGraphiteExporter(builder, name: null, configure);

    /// <summary>
    /// Adds a <see cref="PeriodicExportingMetricReader"/> with a <see cref="GraphiteMetricExporter"/>: every
    /// <see cref="GraphiteExporterOptions.ExportInterval"/> the metrics are collected (with
    /// <see cref="GraphiteExporterOptions.TemporalityPreference"/>, cumulative by default) and written to carbon.
    /// The options are the named options <paramref name="name"/> (so they can be bound from configuration or set
    /// from other services), then <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The options name; <see langword="null"/> for the default options.</param>
    /// <param name="configure">Sets the options; may be <see langword="null"/>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static MeterProviderBuilder AddGraphiteExporter(this MeterProviderBuilder builder, string? name, Action<GraphiteExporterOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string optionsName = name ?? Options.DefaultName;
        builder.ConfigureServices(services =>
        {
            services.AddOptions();
            if (configure is not null)
            {
                services.Configure(optionsName, configure);
            }
        });

        return builder.AddReader(services =>
        {
            GraphiteExporterOptions options = services.GetRequiredService<IOptionsMonitor<GraphiteExporterOptions>>().Get(optionsName);
            var exporter = new GraphiteMetricExporter(options, services.GetService<ILoggerFactory>(), services.GetService<IMeterFactory>());
            return new PeriodicExportingMetricReader(exporter, (int)options.ExportInterval.TotalMilliseconds, (int)options.ExportTimeout.TotalMilliseconds)
            {
                TemporalityPreference = options.TemporalityPreference,
            };
        });
    }
}
