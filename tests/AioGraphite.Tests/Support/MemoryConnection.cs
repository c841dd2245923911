using System.Net.Sockets;
using System.Text;
using AioGraphite.Transport;

namespace AioGraphite.Tests.Support;

/// <summary>One connection to a <see cref="MemoryCarbon"/>: keeps what is written; consumes and closes as the test says.</summary>
internal sealed class MemoryConnection : GraphiteConnection
{
    private readonly MemoryCarbon _carbon;
    private readonly MemoryStream _received = new();
    private readonly TaskCompletionSource<bool> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _writeGate = CompletedGate();
    private long _consumed;

    public MemoryConnection(MemoryCarbon carbon) => _carbon = carbon;

    public override Task<bool> Closed => _closed.Task;

    public override long BytesWritten
    {
        get
        {
            lock (_received)
            {
                return _received.Length;
            }
        }
    }

    /// <summary>True once the client ended its stream (asked for carbon's proof).</summary>
    public bool EndedByClient { get; private set; }

    /// <summary>True once the client disposed it.</summary>
    public bool Disposed { get; private set; }

    public string Text
    {
        get
        {
            lock (_received)
            {
                return Encoding.UTF8.GetString(_received.ToArray());
            }
        }
    }

    public string[] Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Writes wait until <see cref="OpenWrites"/> (a full socket buffer: carbon reachable but slow).</summary>
    public void BlockWrites() => _writeGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OpenWrites() => _writeGate.TrySetResult();

    /// <summary>carbon read everything written so far.</summary>
    public void ConsumeAll()
    {
        Interlocked.Exchange(ref _consumed, BytesWritten);
        _carbon.Changed();
    }

    /// <summary>The peer closes (true: in order; false: a reset).</summary>
    public void Close(bool orderly)
    {
        _closed.TrySetResult(orderly);
        _carbon.Changed();
    }

    public override async ValueTask WriteAsync(IList<ArraySegment<byte>> buffers, CancellationToken cancellationToken)
    {
        await _writeGate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_closed.Task.IsCompleted || EndedByClient)
        {
            throw new SocketException((int)SocketError.ConnectionReset);
        }

        lock (_received)
        {
            foreach (ArraySegment<byte> b in buffers)
            {
                _received.Write(b);
            }
        }

        if (_carbon.ConsumesOnWrite)
        {
            Interlocked.Exchange(ref _consumed, BytesWritten);
        }

        _carbon.Changed();
    }

    public override long ReadConsumedBytes() => Interlocked.Read(ref _consumed);

    public override async ValueTask<bool> EndStreamAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        EndedByClient = true;
        _carbon.Changed();
        if (_carbon.ClosesOnEndOfStream && !_closed.Task.IsCompleted)
        {
            ConsumeAll();
            Close(orderly: true);
        }

        try
        {
            return await _closed.Task.WaitAsync(timeout, _carbon.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public override ValueTask DisposeAsync()
    {
        Disposed = true;
        _closed.TrySetResult(false);
        _carbon.Changed();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"{Lines.Length} line(s), consumed {Interlocked.Read(ref _consumed)}/{BytesWritten} bytes{(EndedByClient ? ", ended" : string.Empty)}{(_closed.Task.IsCompleted ? ", closed" : string.Empty)}";

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }
}
