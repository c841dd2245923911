using System.Diagnostics;
using AioGraphite.TestUtilities;

namespace AioGraphite.Throughput;

/// <summary>
/// <c>--original DIR</c>: the Python original (a checkout of zillow/aiographite in DIR) sends the same workload to the
/// same kind of loopback sink, in the same run as the client, through <c>bench/original/send_original.py</c> (every
/// batch built before the clock starts; timed from its "start" to the sink's receipt of the last byte, connect
/// included: the original has no JIT, so cold and warm are the same for it). The sink counts bytes only (the script
/// gives the total: the original's pickle has memo opcodes the item counter does not read), which costs the sink less
/// CPU than the client's counting sink: if anything, in the original's favour.
/// </summary>
internal static class OriginalBenchmark
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    /// <summary>Points per second of the original sending <paramref name="points"/> points over <paramref name="protocol"/>.</summary>
    public static async Task<double> MeasureAsync(string originalDirectory, string protocol, long points, int batch)
    {
        string script = Path.Combine(RepositoryRoot.Find(), "bench", "original", "send_original.py");
        using var sink = new LoopbackSink(SinkCounting.BytesOnly);
        sink.SetTarget(points, long.MaxValue); // the byte target comes with "start", without clearing what arrived since
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { script, "--path", originalDirectory, "--port", sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--protocol", protocol, "--points", points.ToString(System.Globalization.CultureInfo.InvariantCulture), "--batch", batch.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        Task<string> errors = process.StandardError.ReadToEndAsync();
        string? line = await process.StandardOutput.ReadLineAsync().ConfigureAwait(false);
        long started = Stopwatch.GetTimestamp();
        if (line?.Split(' ') is ["start", string total])
        {
            sink.ExpectBytes(long.Parse(total, System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            await process.WaitForExitAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"the original did not start ({script} --path {originalDirectory}): {line} {await errors.ConfigureAwait(false)}".Trim());
        }

        long? reached = sink.WaitForTarget(Timeout);
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the original exited with {process.ExitCode}: {await errors.ConfigureAwait(false)}");
        }

        if (reached is null)
        {
            throw new InvalidOperationException($"{protocol} original: the sink got {sink.Bytes:N0} bytes, fewer than the original's messages");
        }

        return points / Stopwatch.GetElapsedTime(started, reached.Value).TotalSeconds;
    }
}
