namespace AioGraphite.Transport;

/// <summary>The fields of Linux's <c>struct tcp_info</c> the delivery estimate uses.</summary>
/// <param name="BytesAcked"><c>tcpi_bytes_acked</c>: sequence space the peer's kernel acknowledged (the SYN and a FIN count one each).</param>
/// <param name="SendWindow"><c>tcpi_snd_wnd</c>: the receive window the peer advertised last, or -1 when the kernel does not report it (before 5.4).</param>
internal readonly record struct TcpInfoSample(long BytesAcked, long SendWindow);
