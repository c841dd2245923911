using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AioGraphite.Extensions.Tests.Hosting;

/// <summary>Builds generic hosts configured from an in-memory appsettings.json.</summary>
public static class TestHosts
{
    public static HostApplicationBuilder Builder(string appsettingsJson)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(appsettingsJson)));
        builder.Services.AddLogging();
        builder.Services.AddMetrics();
        return builder;
    }

    /// <summary>A host whose "Graphite" section is <paramref name="graphiteSection"/> (a JSON object), with AddGraphite.</summary>
    public static HostApplicationBuilder WithGraphite(string graphiteSection)
    {
        var builder = Builder($$"""{ "Graphite": {{graphiteSection}} }""");
        builder.Services.AddGraphite(builder.Configuration.GetSection("Graphite"));
        return builder;
    }

    /// <summary>Disposes <paramref name="host"/> as <c>RunAsync</c> does (asynchronously: the container closes the Graphite client).</summary>
    public static async Task DisposeAsync(IHost host)
    {
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }
}
