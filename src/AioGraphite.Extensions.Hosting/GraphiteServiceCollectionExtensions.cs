using System.Diagnostics.Metrics;
using AioGraphite;
using AioGraphite.Extensions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AioGraphite's <see cref="GraphiteClient"/> in an <see cref="IServiceCollection"/>.</summary>
/// <example>
/// <code>
/// var builder = Host.CreateApplicationBuilder(args);
/// builder.Services.AddGraphite(builder.Configuration.GetSection("Graphite"));
/// // then inject GraphiteClient anywhere:
/// public sealed class Worker(GraphiteClient graphite) : BackgroundService { ... }
/// </code>
/// </example>
public static class GraphiteServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="GraphiteOptions"/> from <paramref name="configuration"/> (usually the <c>Graphite</c>
    /// section) and registers the client; see <see cref="AddGraphite(IServiceCollection, Action{GraphiteOptions})"/>.
    /// Validation errors name the configuration key, e.g. <c>Graphite:Port</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section holding the settings.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddGraphite(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GraphiteOptions>().Bind(configuration);
        return AddGraphiteCore(services, configuration is IConfigurationSection section ? section.Path : null);
    }

    /// <summary>
    /// Registers a <see cref="GraphiteClient"/> singleton configured by <paramref name="configure"/>:
    /// <list type="bullet">
    /// <item>the options are validated when the host starts (<c>ValidateOnStart</c>): a bad value stops the
    /// start-up with an <see cref="OptionsValidationException"/> naming it;</item>
    /// <item>the client is created with <see cref="GraphiteClient.Create(string, int, IGraphiteProtocol?, GraphiteClientOptions?)"/> and connects in the background, so the
    /// application starts (and buffers points) while carbon is down;</item>
    /// <item>it logs through the host's <see cref="ILoggerFactory"/>, creates its meter with the host's
    /// <see cref="IMeterFactory"/> and uses the registered <see cref="TimeProvider"/> (<see cref="TimeProvider.System"/>
    /// is registered when there is none, so services can inject it too);</item>
    /// <item>the host closes the client when it disposes its services, after every service that took the client
    /// (hosted services, the OpenTelemetry meter provider and its final export), delivering what is buffered within
    /// <see cref="GraphiteOptions.DrainTimeout"/>; at once, when the host's shutdown timeout ran out while its hosted
    /// services stopped.</item>
    /// <item>a <see cref="GraphiteDatapointValidator"/> with the client's prefix, default tags and transport is registered,
    /// to check points (for example metric names from configuration or user input) without sending them.</item>
    /// </list>
    /// Calling it again adds configuration to the same single client.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddGraphite(this IServiceCollection services, Action<GraphiteOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<GraphiteOptions>().Configure(configure);
        return AddGraphiteCore(services, sectionPath: null);
    }

    private static IServiceCollection AddGraphiteCore(IServiceCollection services, string? sectionPath)
    {
        services.AddOptions<GraphiteOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GraphiteOptions>>(new GraphiteOptionsValidator(sectionPath)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(CreateClient);
        services.TryAddSingleton(static services => new GraphiteDatapointValidator(services.GetRequiredService<GraphiteClient>().Options));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GraphiteClientLifetime>());
        return services;
    }

    private static GraphiteClient CreateClient(IServiceProvider services)
    {
        GraphiteOptions options = services.GetRequiredService<IOptions<GraphiteOptions>>().Value;
        GraphiteClientOptions clientOptions = options.ToClientOptions() with
        {
            LoggerFactory = services.GetService<ILoggerFactory>(),
            MeterFactory = services.GetService<IMeterFactory>(),
            TimeProvider = services.GetRequiredService<TimeProvider>(),
        };
        return GraphiteClient.Create(options.Host!, options.GetEffectivePort(), options.CreateProtocol(), clientOptions);
    }
}
