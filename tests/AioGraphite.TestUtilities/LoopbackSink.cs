using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Runtime.CompilerServices;

namespace AioGraphite.TestUtilities;

/// <summary>
/// The one in-process loopback TCP server of the tests and benchmarks, standing in for carbon where the test is about
/// framing, error paths or speed (never as proof that carbon stored anything). Every accepted connection is read on a
/// thread of its own with blocking receives into one reused buffer; it counts bytes, and lines or pickle items
/// (<see cref="SinkCounting"/>), and with <c>record</c> keeps every byte per connection. Like carbon it closes a
/// connection once the client has ended its stream. With <c>read: false</c> it accepts and never reads (a stalled
/// server); <see cref="Freeze"/> stops the reading later (a frozen one). With a certificate it is a TLS server (TLS 1.2/1.3,
/// SslStream on the reading thread) and counts and records the decrypted bytes.
/// </summary>
public sealed class LoopbackSink : IDisposable, IAsyncDisposable
{
    /// <summary>Receive buffer of a recording sink (tests).</summary>
    private const int RecordingReadBytes = 256 * 1024;

    /// <summary>Receive buffer of a counting sink (throughput runs: as few receive calls as possible).</summary>
    private const int CountingReadBytes = 4 << 20;

    /// <summary>Longest pickle frame accepted: carbon's 1 MiB limit on the payload, plus slack for the length prefix.</summary>
    private const int MaxPickleFrameBytes = (1 << 20) + 64;

    /// <summary>Pickle: at least this much room for the next read (a whole frame and then some).</summary>
    private const int MinFreeBytes = MaxPickleFrameBytes + (64 * 1024);

    private readonly Socket _listener;
    private readonly SinkCounting _counting;
    private readonly bool _record;
    private readonly bool _read;
    private readonly int? _receiveBufferBytes;
    private readonly X509Certificate2? _certificate;
    private readonly List<SinkConnection> _connections = [];
    private readonly ManualResetEventSlim _reached = new(false);
    private long _bytes;
    private long _points;
    private long _frames;
    private long _targetPoints = long.MaxValue;
    private long _targetBytes = long.MaxValue;
    private long _reachedAt;
    private volatile Exception? _error;
    private volatile bool _disposed;
    private volatile bool _frozen;

    /// <summary>Starts listening on 127.0.0.1.</summary>
    /// <param name="counting">What to count besides bytes.</param>
    /// <param name="record">Whether to keep every byte (<see cref="SinkConnection.Bytes"/>, <see cref="AllBytes"/>, <see cref="Lines"/>).</param>
    /// <param name="read">False for a server that accepts and never reads.</param>
    /// <param name="port">The port; 0 for any free one.</param>
    /// <param name="receiveBufferBytes">The kernel receive buffer of accepted sockets; <see langword="null"/> for the default.</param>
    /// <param name="certificate">A server certificate with its key to be a TLS server; <see langword="null"/> for plain TCP.</param>
    public LoopbackSink(SinkCounting counting = SinkCounting.BytesOnly, bool record = false, bool read = true, int port = 0, int? receiveBufferBytes = null, X509Certificate2? certificate = null)
    {
        _certificate = certificate;
        _counting = counting;
        _record = record;
        _read = read;
        _receiveBufferBytes = receiveBufferBytes;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        _listener.Listen(16);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        new Thread(AcceptLoop) { IsBackground = true, Name = "sink-accept" }.Start();
    }

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary>Connections accepted so far, in order.</summary>
    public IReadOnlyList<SinkConnection> Connections
    {
        get
        {
            lock (_connections)
            {
                return [.. _connections];
            }
        }
    }

    /// <summary>Every byte received on every connection, concatenated in connection order (a recording sink).</summary>
    public byte[] AllBytes => [.. Connections.SelectMany(c => c.Bytes)];

    /// <summary>Everything received as text (UTF-8).</summary>
    public string AllText => Encoding.UTF8.GetString(AllBytes);

    /// <summary>Every whole plaintext line received (ended by <c>\n</c>), over all connections in order.</summary>
    public IReadOnlyList<string> Lines => [.. Connections.SelectMany(c => Encoding.UTF8.GetString(c.Bytes).Split('\n').SkipLast(1))];

    /// <summary>The <see cref="Lines"/> parsed as <c>metric value timestamp</c>.</summary>
    public IReadOnlyList<(string Metric, double Value, long Timestamp)> Points =>
        [.. Lines.Select(l => l.Split(' ')).Select(f => (f[0], double.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture)))];

    /// <summary>Bytes received (since the last <see cref="SetTarget"/>).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Lines (plaintext) or pickle items counted; 0 with <see cref="SinkCounting.BytesOnly"/>.</summary>
    public long CountedPoints => Interlocked.Read(ref _points);

    /// <summary>Pickle frames counted.</summary>
    public long CountedFrames => Interlocked.Read(ref _frames);

    /// <summary>A malformed frame or a read failure, if any.</summary>
    public Exception? Error => _error;

    /// <summary>Starts a sink that records everything.</summary>
    /// <returns>The sink.</returns>
    public static LoopbackSink Start() => new(record: true);

    /// <summary>Starts a recording sink on a given port (for a server that comes up after the client).</summary>
    /// <param name="port">The port.</param>
    /// <returns>The sink.</returns>
    public static LoopbackSink Start(int port) => new(record: true, port: port);

    /// <summary>Starts a sink that accepts connections but never reads from them (a stalled server).</summary>
    /// <returns>The sink.</returns>
    public static LoopbackSink StartStalled() => new(record: true, read: false);

    /// <summary>Waits until <paramref name="condition"/> holds (<see cref="Poll"/>); throws with <paramref name="what"/> after the timeout (10 s unless given).</summary>
    /// <param name="condition">What must become true of the sink.</param>
    /// <param name="what">What is awaited.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>A task that completes when the condition holds.</returns>
    public Task WaitUntilAsync(Func<LoopbackSink, bool> condition, string what, TimeSpan? timeout = null) =>
        Poll.UntilAsync(() => condition(this), timeout ?? TimeSpan.FromSeconds(10), () => $"{what}; received {AllBytes.Length} bytes on {Connections.Count} connection(s)");

    /// <summary>Waits until the received <see cref="Lines"/> satisfy <paramref name="done"/>, and returns them.</summary>
    /// <param name="done">Whether the lines are the awaited ones.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The lines.</returns>
    public Task<IReadOnlyList<string>> WaitForLinesAsync(Func<IReadOnlyList<string>, bool> done, TimeSpan timeout) =>
        Poll.UntilAsync(() => Task.FromResult(Lines), done, timeout, "lines", TimeSpan.FromMilliseconds(100));

    /// <summary>Clears the counters and sets what <see cref="WaitForTarget"/> waits for (points when counted, otherwise bytes).</summary>
    /// <param name="points">Points to wait for (when counting lines or pickle items).</param>
    /// <param name="bytes">Bytes to wait for (when counting bytes only).</param>
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
    /// <param name="bytes">Bytes to wait for.</param>
    public void ExpectBytes(long bytes)
    {
        Interlocked.Exchange(ref _targetBytes, bytes);
        if (Interlocked.Read(ref _bytes) >= bytes)
        {
            Reached();
        }
    }

    /// <summary>Waits until the target is reached; returns its <see cref="Stopwatch.GetTimestamp"/> or null on timeout or error.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>When the target was reached.</returns>
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

    /// <summary>Closes every open connection from the server side (a carbon restart as the client sees it).</summary>
    public void DropConnections()
    {
        foreach (SinkConnection c in Connections)
        {
            c.Close();
        }
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _listener.Dispose();
        DropConnections();
        _reached.Dispose();
    }

    /// <summary>Stops listening and closes every connection.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

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

            if (_receiveBufferBytes is int size)
            {
                socket.ReceiveBufferSize = size;
            }

            var connection = new SinkConnection(socket, _record);
            lock (_connections)
            {
                _connections.Add(connection);
            }

            if (_read)
            {
                new Thread(() => ReadLoop(connection)) { IsBackground = true, Name = "sink-read" }.Start();
            }
        }
    }

    private void ReadLoop(SinkConnection connection)
    {
        // Pickle frames may span reads: [start, filled) is the unfinished frame. Reads need room for a whole frame.
        bool pickle = _counting == SinkCounting.PickleItems;
        byte[] buffer = GC.AllocateUninitializedArray<byte>(_record && !pickle ? RecordingReadBytes : CountingReadBytes);
        int filled = 0;
        int start = 0;
        SslStream? tls = null;
        try
        {
            if (_certificate is not null)
            {
                tls = new SslStream(new NetworkStream(connection.Socket, ownsSocket: false));
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

                if (pickle && buffer.Length - filled < MinFreeBytes)
                {
                    // Move the unfinished frame to the front only when room runs short, not after every read
                    // (TLS reads return one 16 KiB record at a time).
                    buffer.AsSpan(start, filled - start).CopyTo(buffer);
                    filled -= start;
                    start = 0;
                }

                int n = tls is null
                    ? connection.Socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None)
                    : tls.Read(buffer, filled, buffer.Length - filled);
                if (n == 0)
                {
                    // Like carbon: once the client ends its stream, everything before it has been read; close in turn.
                    connection.Ended();
                    return;
                }

                connection.Append(buffer.AsSpan(filled, n));
                Count(buffer, ref start, ref filled, n);
            }
        }
        catch (Exception ex) when ((ex is SocketException or IOException) && (_disposed || connection.IsClosed))
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception ex) when (ex is InvalidDataException or SocketException or IndexOutOfRangeException or ArgumentOutOfRangeException or IOException or AuthenticationException)
        {
            _error = ex;
            Reached();
        }
        finally
        {
            tls?.Dispose();
        }
    }

    /// <summary>Counts <paramref name="n"/> new bytes at <paramref name="filled"/> (pickle frames may span receives: the unfinished one starts at <paramref name="start"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Count(byte[] buffer, ref int start, ref int filled, int n)
    {
        long points = 0;
        long frames = 0;
        switch (_counting)
        {
            case SinkCounting.Lines:
                points = buffer.AsSpan(filled, n).Count((byte)'\n');
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
            Reached();
        }
    }

    private void Reached()
    {
        if (Interlocked.CompareExchange(ref _reachedAt, Stopwatch.GetTimestamp(), 0) == 0 && !_disposed)
        {
            _reached.Set();
        }
    }

    /// <summary>Counts the items of every whole frame at the start of <paramref name="data"/>; returns the bytes consumed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CountFrames(ReadOnlySpan<byte> data, ref long points, ref long frames)
    {
        int pos = 0;
        while (data.Length - pos >= 4)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            if (length is < 4 or > MaxPickleFrameBytes)
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
}
