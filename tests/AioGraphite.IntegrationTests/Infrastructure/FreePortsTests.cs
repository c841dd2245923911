using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Infrastructure;

public sealed class FreePortsTests
{
    [Fact]
    public async Task Parallel_allocations_never_repeat_and_are_bindable()
    {
        var ports = new ConcurrentBag<int>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            foreach (var port in FreePorts.AllocateTcpAndUdp(10))
            {
                ports.Add(port);
            }

            ports.Add(FreePorts.AllocateTcp());
        })));

        Assert.Equal(88, ports.Count);
        Assert.Equal(88, ports.Distinct().Count());
        foreach (var port in ports)
        {
            Assert.False(FreePorts.IsTcpListening(port));
            using var tcp = new TcpListener(IPAddress.Loopback, port);
            tcp.Start();
            Assert.True(FreePorts.IsTcpListening(port));
            tcp.Stop();
        }
    }

    [Fact]
    public void Udp_port_is_free_for_udp_too_and_IsUdpBound_sees_a_bound_socket()
    {
        var port = FreePorts.AllocateTcpAndUdp();
        Assert.False(FreePorts.IsUdpBound(port));

        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));

        Assert.True(FreePorts.IsUdpBound(port));
    }
}
