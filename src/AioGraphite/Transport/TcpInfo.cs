using System.Buffers.Binary;
using System.Net.Sockets;

namespace AioGraphite.Transport;

/// <summary>Reads Linux's <c>getsockopt(IPPROTO_TCP, TCP_INFO)</c>; offsets follow <c>struct tcp_info</c> in <c>linux/tcp.h</c>.</summary>
internal static class TcpInfo
{
    private const int IpProtoTcp = 6;
    private const int TcpInfoOption = 11;
    private const int TcpUserTimeoutOption = 18;
    private const int BytesAckedOffset = 120;   // __u64 tcpi_bytes_acked (Linux 4.1)
    private const int SendWindowOffset = 228;   // __u32 tcpi_snd_wnd (Linux 5.4)
    private const int BufferBytes = 256;

    /// <summary>Whether this platform has <c>TCP_INFO</c> with the counters the estimate needs.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Reads the counters; <see langword="false"/> when the socket is gone or the kernel is too old.</summary>
    public static bool TryRead(Socket socket, out TcpInfoSample sample)
    {
        sample = default;
        if (!IsSupported)
        {
            return false;
        }

        Span<byte> info = stackalloc byte[BufferBytes];
        int length;
        try
        {
            length = socket.GetRawSocketOption(IpProtoTcp, TcpInfoOption, info);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        if (length < BytesAckedOffset + sizeof(ulong))
        {
            return false;
        }

        long acked = (long)BinaryPrimitives.ReadUInt64LittleEndian(info[BytesAckedOffset..]);
        long window = length >= SendWindowOffset + sizeof(uint) ? BinaryPrimitives.ReadUInt32LittleEndian(info[SendWindowOffset..]) : -1;
        sample = new TcpInfoSample(acked, window);
        return true;
    }

    /// <summary>Sets <c>TCP_USER_TIMEOUT</c>: sent data left unacknowledged this long fails the connection (Linux only).</summary>
    public static void SetUserTimeout(Socket socket, TimeSpan timeout)
    {
        if (!IsSupported)
        {
            return;
        }

        Span<byte> value = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(value, (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds));
        socket.SetRawSocketOption(IpProtoTcp, TcpUserTimeoutOption, value);
    }
}
