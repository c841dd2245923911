using System.Net;
using System.Net.Sockets;
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
    public void SendAll(int port, int writeBytes)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        foreach ((byte[] buffer, int length) in _chunks)
        {
            int offset = 0;
            while (offset < length)
            {
                offset += socket.Send(buffer, offset, Math.Min(writeBytes, length - offset), SocketFlags.None);
            }
        }

        socket.Shutdown(SocketShutdown.Send);
    }
}
