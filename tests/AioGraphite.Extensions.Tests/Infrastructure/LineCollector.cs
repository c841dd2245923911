using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AioGraphite.Extensions.Tests.Infrastructure;

/// <summary>
/// A loopback TCP listener that records every plaintext line it receives: to check the exact names and values
/// an exporter writes (what carbon stores is checked against the real carbon elsewhere).
/// </summary>
public sealed class LineCollector : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<string> lines = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task acceptLoop;

    public LineCollector()
    {
        listener.Start();
        acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public IReadOnlyList<string> Lines => [.. lines];

    /// <summary>The received lines parsed as (metric, value, timestamp).</summary>
    public IReadOnlyList<(string Metric, double Value, long Timestamp)> Points =>
        Lines.Select(l => l.Split(' ')).Select(f => (f[0], double.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture), long.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture))).ToList();

    public Task<IReadOnlyList<string>> WaitForAsync(Func<IReadOnlyList<string>, bool> done, TimeSpan timeout) =>
        Eventually.GetAsync(() => Task.FromResult(Lines), done, timeout, "lines");

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        listener.Stop();
        try
        {
            await acceptLoop;
        }
        catch (Exception)
        {
        }

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var readers = new List<Task>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client = await listener.AcceptTcpClientAsync(stop.Token);
                readers.Add(ReadAsync(client));
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
        }

        await Task.WhenAll(readers);
    }

    private async Task ReadAsync(TcpClient client)
    {
        using (client)
        {
            using var reader = new StreamReader(client.GetStream(), Encoding.UTF8);
            try
            {
                while (await reader.ReadLineAsync(stop.Token) is { } line)
                {
                    lines.Enqueue(line);
                }
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
            }
            catch (IOException)
            {
            }
        }
    }
}
