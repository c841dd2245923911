using System.Globalization;
using System.Net.Sockets;
using System.Text;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Infrastructure;

/// <summary>The network-namespace fixture: isolation, processes inside, the nftables black hole, and clean-up.</summary>
public sealed class NetworkNamespaceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_HasOnlyLoopbackUp_RunsProcessesInside_Dispose_KillsThemAndDeletesIt()
    {
        NetworkNamespace ns = await NetworkNamespace.CreateAsync();
        int sleeper;
        RunningProcess? sleep = null;
        try
        {
            Assert.StartsWith($"aiographite-test-{Environment.ProcessId}-", ns.Name, StringComparison.Ordinal);
            Assert.Contains(ns.Name, await ListNamespacesAsync());

            ProcessRunner.Result links = await ns.RunAsync("/usr/sbin/ip", "-o", "link", "show");
            Assert.Equal(0, links.ExitCode);
            string[] interfaces = links.StandardOutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            string[] up = [.. interfaces.Where(l => l.Split('<', '>')[1].Split(',').Contains("UP"))];
            string lo = Assert.Single(up); // some kernels add fallback tunnel devices (tunl0, sit0...) to every namespace, down
            Assert.Contains(": lo: <LOOPBACK,UP,LOWER_UP>", lo, StringComparison.Ordinal);

            sleep = ns.Start("/bin/sleep", ["300"]);
            sleeper = sleep.Id;
            await WaitUntilAsync(async () => (await ns.ProcessIdsAsync()).Contains(sleeper), "the sleeper to show in 'ip netns pids'");
            Assert.DoesNotContain(Environment.ProcessId, await ns.ProcessIdsAsync());
        }
        finally
        {
            await ns.DisposeAsync();
        }

        Assert.DoesNotContain(ns.Name, await ListNamespacesAsync());
        Assert.True(sleep.HasExited, "the process inside was not killed");
        await sleep.DisposeAsync();
    }

    [Fact]
    public async Task CarbonInside_IsReachableOnlyFromInside_BlackHoleDropsEverything_HealRestores()
    {
        await using NetworkNamespace ns = await NetworkNamespace.CreateAsync();
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync(new CarbonCacheOptions { NetworkNamespace = ns });

        Assert.False(FreePorts.IsTcpListening(carbon.LinePort), "carbon inside the namespace must not listen in the test's own namespace");
        long now = Wire.Now();
        await SendInsideAsync(carbon, $"test.netns.m 1 {now - 10}\n");
        Assert.Equal([(now - 10, 1.0)], await carbon.WaitForPointsAsync("test.netns.m", 1, TimeSpan.FromSeconds(15)));

        // An open connection, then the hole: what is written on it stalls (nothing arrives), new connections time out.
        using Socket open = await carbon.ConnectAsync(carbon.LinePort, Ct);
        await ns.BlackHoleAsync();
        Assert.True(ns.IsBlackHoled);
        Assert.Contains("table inet hole", await ns.ListRulesetAsync(), StringComparison.Ordinal);
        await open.SendAsync(Encoding.ASCII.GetBytes($"test.netns.m 2 {now - 9}\n"), Ct);
        using (var quick = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            quick.CancelAfter(TimeSpan.FromSeconds(1.5));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => (await carbon.ConnectAsync(carbon.LinePort, quick.Token)).Dispose());
        }

        await Task.Delay(1000, Ct);
        Assert.Single(await carbon.ReadPointsAsync("test.netns.m"));

        // Healed: the stalled bytes are retransmitted and stored, new connections work again.
        await ns.HealAsync();
        Assert.DoesNotContain("table inet hole", await ns.ListRulesetAsync(), StringComparison.Ordinal);
        Assert.Equal([(now - 10, 1.0), (now - 9, 2.0)], await carbon.WaitForPointsAsync("test.netns.m", 2, TimeSpan.FromSeconds(15)));
        await SendInsideAsync(carbon, $"test.netns.m 3 {now - 8}\n");
        Assert.Equal(3, (await carbon.WaitForPointsAsync("test.netns.m", 3, TimeSpan.FromSeconds(15))).Count);

        // Killed and started again inside, on the same ports.
        await carbon.KillAsync();
        await carbon.StartAgainAsync();
        await SendInsideAsync(carbon, $"test.netns.m 4 {now - 7}\n");
        Assert.Equal(4, (await carbon.WaitForPointsAsync("test.netns.m", 4, TimeSpan.FromSeconds(15))).Count);
    }

    private static async Task SendInsideAsync(CarbonCacheServer carbon, string lines)
    {
        using Socket socket = await carbon.ConnectAsync(carbon.LinePort, Ct);
        await socket.SendAsync(Encoding.ASCII.GetBytes(lines), Ct);
        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<string[]> ListNamespacesAsync()
    {
        ProcessRunner.Result list = await ProcessRunner.RunAsync("/usr/sbin/ip", ["netns", "list"], ReadOnlyMemory<byte>.Empty, null, TimeSpan.FromSeconds(10), Ct);
        return [.. list.StandardOutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0])];
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        long deadline = Environment.TickCount64 + 10_000;
        while (!await condition())
        {
            Assert.True(Environment.TickCount64 < deadline, string.Create(CultureInfo.InvariantCulture, $"timed out waiting for {what}"));
            await Task.Delay(50, Ct);
        }
    }
}
