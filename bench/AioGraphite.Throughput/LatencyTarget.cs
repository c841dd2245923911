using System.Diagnostics;
using System.Globalization;
using AioGraphite.Bench;
using AioGraphite.TestUtilities;

namespace AioGraphite.Throughput;

/// <summary>The server of one latency row: the loopback sink started here, or a throw-away carbon-cache.</summary>
internal abstract class LatencyTarget : IAsyncDisposable
{
    public abstract int Port { get; }

    public abstract string Description { get; }

    public static async Task<LatencyTarget> StartAsync(string target, string protocol) => target switch
    {
        "carbon" => await CarbonTarget.StartCarbonAsync(protocol).ConfigureAwait(false),
        _ => new SinkTarget(),
    };

    /// <summary>Stops reading: the kernel still acknowledges until the receive buffer is full, then the window is zero.</summary>
    public abstract void Freeze();

    public abstract ValueTask DisposeAsync();

    private sealed class SinkTarget : LatencyTarget
    {
        private readonly LoopbackSink _sink = new(SinkCounting.BytesOnly);

        public override int Port => _sink.Port;

        public override string Description => "loopback sink";

        public override void Freeze() => _sink.Freeze();

        public override ValueTask DisposeAsync()
        {
            _sink.Dispose();
            return default;
        }
    }

    private sealed class CarbonTarget : LatencyTarget
    {
        private readonly CarbonCacheServer _cache;
        private readonly string _protocol;
        private bool _stopped;

        private CarbonTarget(CarbonCacheServer cache, string protocol)
        {
            _cache = cache;
            _protocol = protocol;
        }

        public override int Port => _protocol == "pickle" ? _cache.PicklePort : _cache.LinePort;

        public override string Description => $"carbon-cache (pid {_cache.Pid})";

        public static async Task<LatencyTarget> StartCarbonAsync(string protocol) =>
            new CarbonTarget(await CarbonCacheServer.StartAsync().ConfigureAwait(false), protocol);

        /// <summary>SIGSTOP, as in the faults of issue 9.</summary>
        public override void Freeze()
        {
            Kill("-STOP");
            _stopped = true;
        }

        public override async ValueTask DisposeAsync()
        {
            if (_stopped)
            {
                Kill("-CONT");
            }

            await _cache.DisposeAsync().ConfigureAwait(false);
        }

        private void Kill(string signal)
        {
            using Process kill = Process.Start("kill", [signal, _cache.Pid.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            if (kill.ExitCode != 0)
            {
                throw new InvalidOperationException($"kill {signal} {_cache.Pid} failed ({kill.ExitCode})");
            }
        }
    }
}
