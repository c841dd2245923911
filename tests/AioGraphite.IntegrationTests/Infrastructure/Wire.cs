using System.Net;
using System.Net.Sockets;
using System.Text;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Infrastructure;

/// <summary>Raw sends for the fixture self-tests (independent of the library under test).</summary>
internal static class Wire
{
    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Writes <paramref name="text"/> on a fresh TCP connection and closes it.</summary>
    public static async Task SendTcpAsync(int port, byte[] bytes)
    {
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(bytes, TestContext.Current.CancellationToken);
        await stream.FlushAsync(TestContext.Current.CancellationToken);
        client.Client.Shutdown(SocketShutdown.Send);
    }

    public static Task SendLinesAsync(int port, string text) => SendTcpAsync(port, Encoding.UTF8.GetBytes(text));

    /// <summary>A pickle frame (4-byte big-endian length + protocol 2 pickle of [(path, (ts, value)), ...]) made by Python's own pickle.</summary>
    public static async Task<byte[]> PickleFrameAsync(IEnumerable<(string Metric, long Timestamp, double Value)> points)
    {
        var input = string.Join('\n', points.Select(p => FormattableString.Invariant($"{p.Metric} {p.Timestamp} {p.Value:R}")));
        return await PythonScript.RunBinaryAsync(
            """
            import pickle, struct, sys
            points = []
            for line in sys.stdin.read().splitlines():
                m, ts, v = line.split(' ')
                points.append((m, (int(ts), float(v))))
            data = pickle.dumps(points, protocol=2)
            sys.stdout.buffer.write(struct.pack('!L', len(data)) + data)
            """,
            Encoding.UTF8.GetBytes(input),
            cancellationToken: TestContext.Current.CancellationToken);
    }
}
