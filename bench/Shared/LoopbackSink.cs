using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace AioGraphite.Bench;

/// <summary>
/// A byte sink on 127.0.0.1 standing in for carbon: every accepted connection is read on a dedicated thread with
/// blocking receives into one reused 4 MiB buffer (no allocation per read) and its bytes are counted, plus lines or
/// pickle items (<see cref="SinkCounting"/>) to verify that every point arrived. With <c>read: false</c> it accepts
/// and never reads: a stalled server; <see cref="Freeze"/> stops the reading later: a frozen one. With a certificate it
/// is a TLS server (TLS 1.2/1.3, SslStream on the reading thread) and counts the decrypted bytes.
/// </summary>
internal sealed class LoopbackSink : IDisposable
{
    private const int ReadBufferBytes = 4 << 20;

    /// <summary>Pickle: at least this much room for the next read (a whole 1 MiB frame and then some).</summary>
    private const int MinFreeBytes = 1 << 20;

    private readonly Socket _listener;
    private readonly SinkCounting _counting;
    private readonly bool _read;
    private readonly int? _receiveBufferBytes;
    private readonly X509Certificate2? _certificate;
    private readonly List<Socket> _connections = [];
    private readonly ManualResetEventSlim _reached = new(false);
    private long _bytes;
    private long _points;
    private long _frames;
    private long _connectionCount;
    private long _targetPoints = long.MaxValue;
    private long _targetBytes = long.MaxValue;
    private long _reachedAt;
    private volatile Exception? _error;
    private volatile bool _disposed;
    private volatile bool _frozen;

    public LoopbackSink(SinkCounting counting, bool read = true, int? receiveBufferBytes = null, X509Certificate2? certificate = null)
    {
        _certificate = certificate;
        _counting = counting;
        _read = read;
        _receiveBufferBytes = receiveBufferBytes;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        new Thread(AcceptLoop) { IsBackground = true, Name = "sink-accept" }.Start();
    }

    public int Port { get; }

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Lines (plaintext) or pickle items received; 0 with <see cref="SinkCounting.BytesOnly"/>.</summary>
    public long Points => Interlocked.Read(ref _points);

    /// <summary>Pickle frames received.</summary>
    public long Frames => Interlocked.Read(ref _frames);

    public long Connections => Interlocked.Read(ref _connectionCount);

    /// <summary>A malformed frame or a read failure, if any.</summary>
    public Exception? Error => _error;

    /// <summary>Clears the counters and sets what <see cref="WaitForTarget"/> waits for (points when counted, otherwise bytes).</summary>
    public void SetTarget(long points, long bytes)
    {
        Interlocked.Exchange(ref _bytes, 0);
        Interlocked.Exchange(ref _points, 0);
        Interlocked.Exchange(ref _frames, 0);
        Interlocked.Exchange(ref _reachedAt, 0);
        _reached.Reset();
        Interlocked.Exchange(ref _targetPoints, _counting == SinkCounting.BytesOnly ? long.MaxValue : points);
        Interlocked.Exchange(ref _targetBytes, _counting == SinkCounting.BytesOnly ? bytes : long.MaxValue);
    }

    /// <summary>
    /// Sets the byte target without clearing the counters, for a run whose byte count is known only after sending.
    /// When the bytes are already there, the target counts as reached now (an upper bound of the real time).
    /// </summary>
    public void ExpectBytes(long bytes)
    {
        Interlocked.Exchange(ref _targetBytes, bytes);
        if (Interlocked.Read(ref _bytes) >= bytes && Interlocked.CompareExchange(ref _reachedAt, Stopwatch.GetTimestamp(), 0) == 0)
        {
            _reached.Set();
        }
    }

    /// <summary>Waits until the target is reached; returns its <see cref="Stopwatch.GetTimestamp"/> or null on timeout or error.</summary>
    public long? WaitForTarget(TimeSpan timeout)
    {
        if (!_reached.Wait(timeout) || _error is not null)
        {
            return null;
        }

        return Interlocked.Read(ref _reachedAt);
    }

    /// <summary>
    /// Stops reading on every connection, current and future (after at most the receive in progress), like a
    /// SIGSTOPped carbon: the kernel still acknowledges what fits into the socket's receive buffer, then advertises a
    /// zero window. Connections are still accepted (and not read).
    /// </summary>
    public void Freeze() => _frozen = true;

    private void AcceptLoop()
    {
        while (!_disposed)
        {
            Socket socket;
            try
            {
                socket = _listener.Accept();
            }
            catch (SocketException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connectionCount);
            if (_receiveBufferBytes is int size)
            {
                socket.ReceiveBufferSize = size;
            }

            lock (_connections)
            {
                _connections.Add(socket);
            }

            if (_read)
            {
                new Thread(() => ReadLoop(socket)) { IsBackground = true, Name = "sink-read" }.Start();
            }
        }
    }

    private void ReadLoop(Socket socket)
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(ReadBufferBytes);
        int filled = 0;
        int start = 0; // pickle: where the first frame not yet counted begins
        SslStream? tls = null;
        try
        {
            if (_certificate is not null)
            {
                tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
                tls.AuthenticateAsServer(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _certificate,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                });
            }

            while (true)
            {
                while (_frozen && !_disposed)
                {
                    Thread.Sleep(10);
                }

                if (buffer.Length - filled < MinFreeBytes)
                {
                    // Move the unfinished pickle frame to the front only when room runs short (not after every read:
                    // TLS reads return one 16 KiB record at a time).
                    buffer.AsSpan(start, filled - start).CopyTo(buffer);
                    filled -= start;
                    start = 0;
                }

                int n = tls is null
                    ? socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None)
                    : tls.Read(buffer, filled, buffer.Length - filled);
                if (n == 0)
                {
                    // The writer ended its stream: end ours too, as carbon does (a TLS writer reads to our end).
                    socket.Shutdown(SocketShutdown.Send);
                    return;
                }

                long points = 0;
                long frames = 0;
                switch (_counting)
                {
                    case SinkCounting.Lines:
                        points = buffer.AsSpan(0, n).Count((byte)'\n');
                        break;
                    case SinkCounting.PickleItems:
                        filled += n;
                        start += CountFrames(buffer.AsSpan(start, filled - start), ref points, ref frames);
                        if (start == filled)
                        {
                            start = filled = 0;
                        }

                        break;
                }

                Interlocked.Add(ref _bytes, n);
                if (frames > 0)
                {
                    Interlocked.Add(ref _frames, frames);
                }

                long total = points > 0 ? Interlocked.Add(ref _points, points) : Interlocked.Read(ref _points);
                if (total >= Interlocked.Read(ref _targetPoints) || Interlocked.Read(ref _bytes) >= Interlocked.Read(ref _targetBytes))
                {
                    if (Interlocked.CompareExchange(ref _reachedAt, Stopwatch.GetTimestamp(), 0) == 0)
                    {
                        _reached.Set();
                    }
                }
            }
        }
        catch (Exception ex) when ((ex is SocketException or IOException) && _disposed)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception ex) when (ex is InvalidDataException or SocketException or IndexOutOfRangeException or ArgumentOutOfRangeException or IOException or AuthenticationException)
        {
            _error = ex;
            _reached.Set();
        }
        finally
        {
            tls?.Dispose();
        }
    }

    /// <summary>Counts the items of every whole frame at the start of <paramref name="data"/>; returns the bytes consumed.</summary>
    private static int CountFrames(ReadOnlySpan<byte> data, ref long points, ref long frames)
    {
        int pos = 0;
        while (data.Length - pos >= 4)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            if (length is < 4 or > (1 << 20) + 64)
            {
                throw new InvalidDataException($"pickle frame length {length} is out of range");
            }

            if (data.Length - pos - 4 < length)
            {
                break;
            }

            points += PickleItemCounter.Count(data.Slice(pos + 4, length));
            frames++;
            pos += 4 + length;
        }

        return pos;
    }

    public void Dispose()
    {
        _disposed = true;
        _listener.Dispose();
        lock (_connections)
        {
            foreach (Socket s in _connections)
            {
                s.Dispose();
            }
        }

        _reached.Dispose();
    }
}
