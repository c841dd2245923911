using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AioGraphite.TestUtilities;

/// <summary>
/// An in-process loopback TCP server that records every byte per connection: for unit tests of framing and
/// error paths only (never as proof that carbon stored anything).
/// </summary>
public sealed class ByteSink : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<SinkConnection> _connections = new();
    private readonly Task _accept;

    private ByteSink(bool read, int port = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = AcceptLoopAsync(read);
    }

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary>Connections accepted so far, in order.</summary>
    public IReadOnlyList<SinkConnection> Connections => [.. _connections];

    /// <summary>Every byte received on every connection, concatenated in connection order.</summary>
    public byte[] AllBytes => [.. Connections.SelectMany(c => c.Bytes)];

    /// <summary>Everything received as text (UTF-8).</summary>
    public string AllText => Encoding.UTF8.GetString(AllBytes);

    /// <summary>Starts a sink that reads everything.</summary>
    public static ByteSink Start() => new(read: true);

    /// <summary>Starts a sink on a given port (for a server that comes up after the client).</summary>
    public static ByteSink Start(int port) => new(read: true, port);

    /// <summary>Starts a sink that accepts connections but never reads from them (a stalled server).</summary>
    public static ByteSink StartStalled() => new(read: false);

    /// <summary>Waits until <paramref name="condition"/> holds, polling; throws with <paramref name="what"/> after the timeout.</summary>
    public async Task WaitUntilAsync(Func<ByteSink, bool> condition, string what, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition(this))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}; received {AllBytes.Length} bytes on {Connections.Count} connection(s).");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Closes every open connection from the server side (a carbon restart as the client sees it).</summary>
    public void DropConnections()
    {
        foreach (SinkConnection c in _connections)
        {
            c.Close();
        }
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropConnections();
        try
        {
            await _accept;
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(bool read)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            var connection = new SinkConnection(socket);
            _connections.Enqueue(connection);
            if (read)
            {
                _ = connection.ReadAllAsync();
            }
        }
    }
}
