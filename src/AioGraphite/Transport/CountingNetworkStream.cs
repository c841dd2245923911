using System.Buffers;
using System.Net.Sockets;

namespace AioGraphite.Transport;

/// <summary>
/// The socket under a TLS stream: counts the bytes TLS writes to the TCP stream (so that the kernel's TCP counters can
/// be mapped back to plaintext offsets, see <see cref="PlaintextOffsetMap"/>), notices when TLS goes back to reading
/// after it has received bytes from the server following the handshake (the server's answer to our last handshake
/// message processed without an alert: see <see cref="ArmAnswerSignal"/>), and between <see cref="BeginCoalescing"/>
/// and <see cref="EndCoalescingAsync"/> gathers TLS's records (one per 16 KiB) into few large sends, in order.
/// </summary>
internal sealed class CountingNetworkStream : Stream
{
    /// <summary>Bytes gathered before a send while coalescing.</summary>
    private const int CoalesceBytes = 256 * 1024;

    private readonly NetworkStream _inner;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private byte[]? _pending;
    private int _pendingLength;
    private volatile bool _coalescing;
    private long _written;
    private long _read;
    private long _readAtArm = -1;
    private TaskCompletionSource? _answered;

    public CountingNetworkStream(Socket socket) => _inner = new NetworkStream(socket, ownsSocket: false);

    /// <summary>Bytes written to the TCP stream so far (TLS records, handshake included).</summary>
    public long BytesWritten => Interlocked.Read(ref _written);

    /// <summary>Bytes read from the TCP stream so far.</summary>
    public long BytesRead => Interlocked.Read(ref _read);

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// From now on: completes the returned task when TLS asks to read again after the server sent something, i.e. TLS
    /// processed what the server sent after the handshake (TLS 1.3 session tickets) without failing on it.
    /// </summary>
    public Task ArmAnswerSignal()
    {
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _readAtArm, BytesRead);
        Volatile.Write(ref _answered, answered);
        return answered.Task;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        long armedAt = Volatile.Read(ref _readAtArm);
        if (armedAt >= 0 && BytesRead > armedAt)
        {
            Volatile.Read(ref _answered)?.TrySetResult();
        }

        int n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _read, n);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = _inner.Read(buffer);
        Interlocked.Add(ref _read, n);
        return n;
    }

    /// <summary>
    /// From now until <see cref="EndCoalescingAsync"/>, writes are gathered (every write, in order, whoever makes it) and
    /// sent when <see cref="CoalesceBytes"/> are ready. The counts include gathered bytes: they are stream offsets.
    /// </summary>
    public void BeginCoalescing()
    {
        _pending ??= ArrayPool<byte>.Shared.Rent(CoalesceBytes);
        _coalescing = true;
    }

    /// <summary>Sends what was gathered and goes back to sending every write at once.</summary>
    public async ValueTask EndCoalescingAsync(CancellationToken cancellationToken)
    {
        _coalescing = false;
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SendPendingAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // One sender at a time, so that the records reach the socket in the order TLS made them.
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            byte[]? pending = _pending;
            if (!_coalescing || pending is null || buffer.Length >= pending.Length)
            {
                await SendPendingAsync(cancellationToken).ConfigureAwait(false);
                await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (_pendingLength + buffer.Length > pending.Length)
                {
                    await SendPendingAsync(cancellationToken).ConfigureAwait(false);
                }

                buffer.Span.CopyTo(pending.AsSpan(_pendingLength));
                _pendingLength += buffer.Length;
            }

            Interlocked.Add(ref _written, buffer.Length);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async ValueTask SendPendingAsync(CancellationToken cancellationToken)
    {
        if (_pendingLength > 0)
        {
            int length = _pendingLength;
            _pendingLength = 0;
            await _inner.WriteAsync(_pending.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        // TLS writes asynchronously here; a synchronous write still goes out in order, after anything gathered.
        _sendLock.Wait();
        try
        {
            if (_pendingLength > 0)
            {
                int length = _pendingLength;
                _pendingLength = 0;
                _inner.Write(_pending.AsSpan(0, length));
            }

            _inner.Write(buffer);
            Interlocked.Add(ref _written, buffer.Length);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            Volatile.Read(ref _answered)?.TrySetResult();
            // A write in progress ends quickly once the socket is gone (it is disposed first); only then is the pooled
            // buffer returned, so no one can still copy into it. If that takes too long it is left to the collector.
            if (_sendLock.Wait(TimeSpan.FromSeconds(5)))
            {
                if (Interlocked.Exchange(ref _pending, null) is { } pending)
                {
                    ArrayPool<byte>.Shared.Return(pending);
                }

                _pendingLength = 0;
                _sendLock.Release();
            }
        }

        base.Dispose(disposing);
    }
}
