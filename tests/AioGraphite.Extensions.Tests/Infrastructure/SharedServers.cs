using AioGraphite.TestUtilities;
using Xunit;

[assembly: AssemblyFixture(typeof(AioGraphite.Extensions.Tests.Infrastructure.SharedServers))]

namespace AioGraphite.Extensions.Tests.Infrastructure;

/// <summary>
/// One real carbon-cache for the whole assembly (each test uses its own metric prefix) and one graphite-web over
/// it, started the first time a test asks for it.
/// </summary>
public sealed class SharedServers : IAsyncLifetime
{
    private static int counter;
    private CarbonCacheServer? carbon;
    private Lazy<Task<GraphiteWebServer>>? web;

    public CarbonCacheServer Carbon => carbon ?? throw new InvalidOperationException("not started");

    /// <summary>A metric prefix no other test uses (carbon is shared).</summary>
    public static string UniquePrefix(string name) => $"t{Interlocked.Increment(ref counter)}_{Environment.ProcessId}.{name}";

    public Task<GraphiteWebServer> GetGraphiteWebAsync() => web!.Value;

    public async ValueTask InitializeAsync()
    {
        carbon = await CarbonCacheServer.StartAsync();
        web = new Lazy<Task<GraphiteWebServer>>(() => GraphiteWebServer.StartAsync(carbon), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public async ValueTask DisposeAsync()
    {
        if (web is { IsValueCreated: true })
        {
            try
            {
                await (await web.Value).DisposeAsync();
            }
            catch (InvalidOperationException)
            {
                // it never started: the test that asked already failed with the reason
            }
        }

        if (carbon is not null)
        {
            await carbon.DisposeAsync();
        }
    }
}
