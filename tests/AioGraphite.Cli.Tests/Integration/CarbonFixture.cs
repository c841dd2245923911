using AioGraphite.Cli.Tests.Integration;
using AioGraphite.TestUtilities;
using Xunit;

[assembly: AssemblyFixture(typeof(CarbonFixture))]

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>One real carbon-cache for the whole test assembly; every test uses metric names of its own.</summary>
public sealed class CarbonFixture : IAsyncLifetime
{
    private CarbonCacheServer? _server;

    public static TimeSpan StoreTimeout { get; } = TimeSpan.FromSeconds(15);

    public CarbonCacheServer Server => _server ?? throw new InvalidOperationException("carbon-cache was not started");

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>carbon's port for the tool's <c>--protocol</c> value.</summary>
    public int PortFor(string protocol) => protocol switch
    {
        "pickle" => Server.PicklePort,
        "udp" => Server.UdpPort,
        _ => Server.LinePort,
    };

    public async ValueTask InitializeAsync() => _server = await CarbonCacheServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
