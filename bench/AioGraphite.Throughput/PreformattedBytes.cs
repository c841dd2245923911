using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using AioGraphite.Bench;

namespace AioGraphite.Throughput;

/// <summary>
/// The same points the client sends, formatted once up front with the library's public
/// <see cref="IGraphiteProtocol.GenerateMessage"/> (one call per batch) into 64 MiB chunks: what a raw socket writes
/// for the ceiling. Pickle frames hold one batch each here, the client's hold one 64 KiB segment, so the byte
/// counts differ by a few bytes per thousand points.
/// </summary>
internal sealed class PreformattedBytes
{
    private const int ChunkBytes = 64 << 20;
    private readonly List<(byte[] Buffer, int Length)> _chunks = [];

    public PreformattedBytes(IGraphiteProtocol protocol, Workload workload, long batches)
    {
        var batch = new Datapoint[workload.BatchSize];
        byte[] chunk = GC.AllocateUninitializedArray<byte>(ChunkBytes);
        int used = 0;
        for (long b = 0; b < batches; b++)
        {
            workload.Fill(batch, b);
            byte[] message = protocol.GenerateMessage(batch);
            if (used + message.Length > chunk.Length)
            {
                _chunks.Add((chunk, used));
                chunk = GC.AllocateUninitializedArray<byte>(ChunkBytes);
                used = 0;
            }

            message.CopyTo(chunk, used);
            used += message.Length;
            TotalBytes += message.Length;
        }

        _chunks.Add((chunk, used));
    }

    public long TotalBytes { get; }

    /// <summary>Connects a plain blocking socket (TCP_NODELAY, as the client) and writes everything in <paramref name="writeBytes"/> writes.</summary>
    /// <remarks>With <paramref name="tls"/>, the same writes go through an <see cref="SslStream"/> (TLS 1.2/1.3, trusting the bench's CA).</remarks>
    public void SendAll(int port, int writeBytes, BenchTls? tls = null)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        using SslStream? ssl = tls is null ? null : new SslStream(new NetworkStream(socket, ownsSocket: false));
        if (ssl is not null)
        {
            ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateChainPolicy = tls!.ChainPolicy(),
            });
        }

        foreach ((byte[] buffer, int length) in _chunks)
        {
            int offset = 0;
            while (offset < length)
            {
                if (ssl is null)
                {
                    offset += socket.Send(buffer, offset, Math.Min(writeBytes, length - offset), SocketFlags.None);
                }
                else
                {
                    int n = Math.Min(writeBytes, length - offset);
                    ssl.Write(buffer, offset, n);
                    offset += n;
                }
            }
        }

        ssl?.ShutdownAsync().GetAwaiter().GetResult();
        socket.Shutdown(SocketShutdown.Send);
        if (ssl is not null)
        {
            // Read what the server sent (TLS session tickets) up to its end: closing with unread bytes would reset the
            // connection, and the sink could lose the tail of the stream.
            byte[] scratch = new byte[4096];
            while (ssl.Read(scratch) > 0)
            {
            }
        }
    }
}
