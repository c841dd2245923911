using System.Diagnostics;
using AioGraphite.Bench;
using AioGraphite.TestUtilities;

namespace AioGraphite.Throughput;

/// <summary>
/// What TLS adds at connect: <c>GraphiteClient.ConnectAsync</c> to a loopback sink (plaintext, and TLS with the bench's
/// certificate), timed from the call to the connected client, 30 times each after 3 unmeasured; median and 90th percentile.
/// </summary>
internal static class HandshakeTime
{
    private const int Connects = 30;
    private const int Warmup = 3;

    public static async Task<string> MeasureAsync(BenchTls tls)
    {
        using var plainSink = new LoopbackSink(SinkCounting.BytesOnly);
        using var tlsSink = new LoopbackSink(SinkCounting.BytesOnly, certificate: tls.ServerCertificate);
        List<double> plain = await TimeConnectsAsync(plainSink.Port, null).ConfigureAwait(false);
        List<double> secure = await TimeConnectsAsync(tlsSink.Port, tls.ClientOptions).ConfigureAwait(false);
        return $"""
            Connect time (GraphiteClient.ConnectAsync to a loopback sink, {Connects} connects each; load average (1 min) {Machine.Load()}):

            | connection | median | p90 |
            |---|---:|---:|
            | plaintext TCP | {Fmt.Num(Percentile(plain, 0.5), "0.00")} ms | {Fmt.Num(Percentile(plain, 0.9), "0.00")} ms |
            | TLS (TCP + handshake, ECDSA P-256) | {Fmt.Num(Percentile(secure, 0.5), "0.00")} ms | {Fmt.Num(Percentile(secure, 0.9), "0.00")} ms |

            """;
    }

    private static async Task<List<double>> TimeConnectsAsync(int port, GraphiteTlsOptions? tls)
    {
        var options = new GraphiteClientOptions { Tls = tls, DrainTimeout = TimeSpan.Zero };
        var times = new List<double>();
        for (int i = 0; i < Connects + Warmup; i++)
        {
            long start = Stopwatch.GetTimestamp();
            GraphiteClient client = await GraphiteClient.ConnectAsync("127.0.0.1", port, options: options).ConfigureAwait(false);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            await client.CloseAsync().ConfigureAwait(false);
            if (i >= Warmup)
            {
                times.Add(ms);
            }
        }

        return times;
    }

    private static double Percentile(List<double> values, double p)
    {
        List<double> sorted = [.. values.Order()];
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Round(p * (sorted.Count - 1)))];
    }
}
