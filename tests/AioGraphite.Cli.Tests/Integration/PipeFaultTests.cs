using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary><c>aiographite pipe</c> while carbon-cache is SIGKILLed mid-stream and started again only after a slow restart (4 s later).</summary>
[Trait("Category", PipeFault.Category)]
public sealed class PipeSigkillSlowRestartTests
{
    [Fact]
    public async Task Pipe_SigkillThenSlowRestart_EveryPointStored_ExitsZero()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await PipeFault.RunAsync(carbon, "kill-slow", "SIGKILL, restart 4 s later", async () =>
        {
            await carbon.KillAsync();
            await Task.Delay(TimeSpan.FromSeconds(4), PipeFault.Ct);
            await carbon.StartAgainAsync();
        });
    }
}

/// <summary><c>aiographite pipe</c> while carbon-cache is frozen (SIGSTOP) for 10 s mid-stream, then SIGKILLed and restarted.</summary>
[Trait("Category", PipeFault.Category)]
public sealed class PipeFreezeThenSigkillTests
{
    [Fact]
    public async Task Pipe_SigstopTenSecondsThenSigkill_EveryPointStored_ExitsZero()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await PipeFault.RunAsync(carbon, "freeze-kill", "SIGSTOP for 10 s, then SIGKILL and restart", async () =>
        {
            carbon.Freeze();
            await Task.Delay(TimeSpan.FromSeconds(10), PipeFault.Ct);
            await carbon.KillAsync();
            await carbon.StartAgainAsync();
        });
    }
}

/// <summary>
/// <c>aiographite pipe</c> and carbon-cache inside a network namespace the test creates; mid-stream every packet in it is
/// dropped for 20 s (nftables), and carbon is SIGKILLed and started again behind the hole.
/// </summary>
[Trait("Category", PipeFault.Category)]
public sealed class PipeBlackHoleTests
{
    [Fact]
    public async Task Pipe_BlackHoleTwentySeconds_CarbonRestartedBehindIt_EveryPointStored_ExitsZero()
    {
        await using NetworkNamespace ns = await NetworkNamespace.CreateAsync();
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync(new CarbonCacheOptions { NetworkNamespace = ns });
        await PipeFault.RunAsync(
            carbon,
            "blackhole",
            "black hole for 20 s, carbon SIGKILLed and restarted behind it",
            async () =>
            {
                long start = Environment.TickCount64;
                await ns.BlackHoleAsync();
                await Task.Delay(TimeSpan.FromSeconds(1), PipeFault.Ct);
                await carbon.KillAsync();
                await carbon.StartAgainAsync();
                TimeSpan left = TimeSpan.FromSeconds(20) - TimeSpan.FromMilliseconds(Environment.TickCount64 - start);
                if (left > TimeSpan.Zero)
                {
                    await Task.Delay(left, PipeFault.Ct);
                }

                await ns.HealAsync();
            },
            ns);
    }
}
