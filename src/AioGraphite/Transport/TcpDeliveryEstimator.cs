using System.Net.Sockets;
namespace AioGraphite.Transport;

/// <summary>
/// Turns <c>TCP_INFO</c> samples into "bytes carbon's process has read". An acknowledgement only says the bytes reached
/// the peer's kernel; what the process has not read yet still sits in the peer's receive buffer and shrinks the window
/// it advertises. So consumed = acknowledged - (largest window seen - window now): bytes count only once the window they
/// took has been given back. A frozen carbon (window closing, then zero) consumes nothing.
/// </summary>
/// <remarks>
/// The window moves in steps of its scale (often 128 bytes) and grows early in a connection whether or not the peer
/// reads: after a TLS handshake it is 65,536 and reaches ~105,000 as the first ~20 KB arrive, so on a young connection
/// that many bytes sent to a peer that stopped reading can look consumed (they stay retained for replay); the
/// end-of-stream receipt (<see cref="GraphiteConnection.EndStreamAsync"/>) is the exact proof. Without a window in the
/// sample (kernels before 5.4) acknowledged bytes count as consumed.
/// </remarks>
internal sealed class TcpDeliveryEstimator
{
    private readonly long _ackedAtConnect;
    private long _largestWindow;
    private long _consumed;

    /// <param name="ackedAtConnect"><c>tcpi_bytes_acked</c> right after the connection opened (the SYN counts one).</param>
    public TcpDeliveryEstimator(long ackedAtConnect) => _ackedAtConnect = ackedAtConnect;

    /// <summary>An estimator for <paramref name="socket"/> (just connected), or <see langword="null"/> where the kernel's counters cannot be read.</summary>
    public static TcpDeliveryEstimator? TryStart(Socket socket) =>
        TcpInfo.TryRead(socket, out TcpInfoSample atConnect) ? new TcpDeliveryEstimator(atConnect.BytesAcked) : null;

    /// <summary>
    /// The receipt after the client ended its stream (<paramref name="writtenThroughEnd"/> bytes on the wire): waits up to
    /// <paramref name="timeout"/> for the peer to close. A peer that closes with bytes still unread resets instead, so an
    /// orderly close after its kernel acknowledged every byte and our FIN means its process read everything; without the
    /// kernel's counters (<paramref name="estimator"/> null) the orderly close alone is the proof.
    /// </summary>
    public static async ValueTask<bool> ReceiptAsync(Task<bool> closed, Socket socket, TcpDeliveryEstimator? estimator, long writtenThroughEnd, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        bool orderly;
        try
        {
            orderly = await closed.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }

        if (!orderly || estimator is null)
        {
            return orderly;
        }

        // The peer may close (over TLS: send its close_notify, which completes `closed`) before its kernel's
        // acknowledgement of our FIN is processed here: wait a little for it, in real time (a kernel event, not the
        // client's clock), never longer than the caller's timeout allows.
        int polls = (int)Math.Min(FinAcknowledgementPolls, Math.Max(0, timeout.TotalMilliseconds));
        for (int poll = 0; TcpInfo.TryRead(socket, out TcpInfoSample sample); poll++)
        {
            if (estimator.AcknowledgedThroughEnd(sample, writtenThroughEnd))
            {
                return true;
            }

            if (poll >= polls)
            {
                return false;
            }

            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>Most times (about 1 ms apart) the receipt looks again for the acknowledgement of our FIN after the peer closed.</summary>
    internal const int FinAcknowledgementPolls = 50;

    /// <summary>The last estimate.</summary>
    public long Consumed => _consumed;

    /// <summary>Takes a sample; returns the bytes consumed so far (monotonic, at most <paramref name="written"/>).</summary>
    public long Update(in TcpInfoSample sample, long written)
    {
        long acked = Math.Min(sample.BytesAcked - _ackedAtConnect, written);
        long consumed = acked;
        if (sample.SendWindow >= 0)
        {
            _largestWindow = Math.Max(_largestWindow, sample.SendWindow);
            consumed = sample.SendWindow == 0 ? _consumed : acked - (_largestWindow - sample.SendWindow);
        }

        if (consumed > _consumed)
        {
            _consumed = consumed;
        }

        return _consumed;
    }

    /// <summary>
    /// After our end of stream was sent and the peer closed in turn: true when the peer's kernel acknowledged every byte
    /// and our FIN, so the peer closed after it had read all of them.
    /// </summary>
    public bool AcknowledgedThroughEnd(in TcpInfoSample sample, long written) => sample.BytesAcked - _ackedAtConnect >= written + 1;
}
