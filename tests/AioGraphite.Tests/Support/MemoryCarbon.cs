using System.Net.Sockets;
using System.Text;
using AioGraphite.TestUtilities;
using AioGraphite.Transport;

namespace AioGraphite.Tests.Support;

/// <summary>
/// An in-memory carbon for the pipeline's unit tests, plugged in through <c>GraphiteClientOptions.ConnectionFactory</c>:
/// the test decides whether it is reachable, whether it consumes what is written, whether it closes after the client's
/// end of stream, and when connections break. No sockets, no sleeps.
/// </summary>
internal sealed class MemoryCarbon : ConnectionFactory
{
    private readonly Lock _sync = new();
    private readonly List<MemoryConnection> _connections = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MemoryCarbon(TimeProvider time) => Time = time;

    public TimeProvider Time { get; }

    /// <summary>When false, connection attempts fail with a <see cref="GraphiteException"/> (carbon down).</summary>
    public bool Reachable { get; set; } = true;

    /// <summary>When true (a healthy carbon), bytes count as consumed as soon as they are written.</summary>
    public bool ConsumesOnWrite { get; set; } = true;

    /// <summary>When true, carbon closes in order after the client ends its stream (what carbon-cache does).</summary>
    public bool ClosesOnEndOfStream { get; set; } = true;

    /// <summary>
    /// When true, a new connection is accepted and closed at once, in order, before anything written on it is read: a TLS
    /// terminator or relay whose carbon is down.
    /// </summary>
    public bool AcceptsThenCloses { get; set; }

    /// <summary>Connection attempts so far, failed ones included.</summary>
    public int Attempts { get; private set; }

    public override string Description => "memory:2003";

    public override string TransportName => "tcp";

    public IReadOnlyList<MemoryConnection> Connections
    {
        get
        {
            lock (_sync)
            {
                return [.. _connections];
            }
        }
    }

    /// <summary>Every line received, over all connections, in order.</summary>
    public string[] AllLines => [.. Connections.SelectMany(c => c.Lines)];

    public override ValueTask<GraphiteConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            Attempts++;
            if (!Reachable)
            {
                Changed();
                throw new GraphiteException("memory", 2003, SocketError.ConnectionRefused, "memory carbon is down", null);
            }

            var connection = new MemoryConnection(this);
            _connections.Add(connection);
            if (AcceptsThenCloses)
            {
                connection.Close(orderly: true);
            }

            Changed();
            return ValueTask.FromResult<GraphiteConnection>(connection);
        }
    }

    /// <summary>Completes on the next change (a connection attempt, bytes written, an end of stream).</summary>
    public Task NextChange()
    {
        lock (_sync)
        {
            return _changed.Task;
        }
    }

    internal void Changed()
    {
        lock (_sync)
        {
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>
    /// Waits (without sleeping) until <paramref name="condition"/> holds, advancing <paramref name="time"/> by
    /// <paramref name="step"/> whenever nothing happens for a moment; fails after 20 s of real time.
    /// </summary>
    public Task UntilAsync(Func<bool> condition, string what, Microsoft.Extensions.Time.Testing.FakeTimeProvider? time = null, TimeSpan? step = null) =>
        Poll.UntilAsync(condition, TimeSpan.FromSeconds(20), () => $"{what}; connections: {string.Join(" | ", Connections.Select(c => c.ToString()))}", async () =>
        {
            Task change = NextChange();
            if (await Task.WhenAny(change, Task.Delay(5)).ConfigureAwait(false) != change && time is not null)
            {
                time.Advance(step ?? TimeSpan.FromMilliseconds(100));
            }
        });
}
