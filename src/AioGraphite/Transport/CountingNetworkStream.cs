using System.Net.Sockets;

namespace AioGraphite.Transport;

/// <summary>
/// The socket under a TLS stream: counts the bytes TLS writes to the TCP stream (so that the kernel's TCP counters can
/// be mapped back to plaintext offsets, see <see cref="PlaintextOffsetMap"/>), and notices when TLS goes back to
/// reading after it has received bytes from the server following the handshake (the server's answer to our last
/// handshake message processed without an alert: see <see cref="ArmAnswerSignal"/>).
/// </summary>
internal sealed class CountingNetworkStream : Stream
{
    private readonly NetworkStream _inner;
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

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _written, buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _inner.Write(buffer);
        Interlocked.Add(ref _written, buffer.Length);
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
        }

        base.Dispose(disposing);
    }
}
