using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Infrastructure;

/// <summary>One carbon-cache shared by the tests of a class (each test uses its own metric names).</summary>
public sealed class SharedCarbonCache : IAsyncLifetime
{
    private CarbonCacheServer? server;

    public CarbonCacheServer Server => server ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync() => server = await CarbonCacheServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}
