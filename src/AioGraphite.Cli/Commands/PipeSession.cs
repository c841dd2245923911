using AioGraphite.Cli.Input;
using AioGraphite.Cli.Output;

namespace AioGraphite.Cli.Commands;

/// <summary>
/// One run of <c>pipe</c>: reads, parses and sends every line, waits until carbon has consumed every point (its orderly
/// close after the end of the stream proves it), watches that delivery makes progress, reports and decides the exit code.
/// </summary>
internal sealed class PipeSession
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How much longer than the watchdog a send may wait for room, so that the watchdog always gives up first.</summary>
    private static readonly TimeSpan WatchdogMargin = TimeSpan.FromSeconds(5);

    /// <summary>Longest single connection attempt (a shorter <c>--timeout</c> wins).</summary>
    private static readonly TimeSpan MaxConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>What closing may still take: only what the watchdog (or Ctrl+C) already gave up on is left by then.</summary>
    private static readonly TimeSpan CloseDrainTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>The progress line says it waits for carbon once nothing moved for this long.</summary>
    private static readonly TimeSpan ShowStallAfter = TimeSpan.FromSeconds(1);

    private readonly CliConsole _console;
    private readonly Endpoint _endpoint;
    private readonly string _name;
    private readonly StatusWriter _status;
    private readonly CarbonLineParser _parser;
    private readonly TimeProvider _time;
    private readonly string? _spool;
    private readonly bool _drain;
    private long _linesRead;
    private long _blank;
    private long _invalid;
    private volatile bool _unreachable;
    private volatile GraphiteException? _tlsFailure;

    /// <summary>Creates a session.</summary>
    /// <param name="console">The console.</param>
    /// <param name="endpoint">Where to send; its timeout is how long carbon may stay unreachable.</param>
    /// <param name="name">The command's name for messages.</param>
    /// <param name="spool">The spool directory (<c>--spool</c>), or <see langword="null"/>.</param>
    /// <param name="drain">Whether this run only sends what waits in the spool (<c>spool drain</c>): the summary speaks of the spool, not of lines.</param>
    public PipeSession(CliConsole console, Endpoint endpoint, string name, string? spool = null, bool drain = false)
    {
        _spool = spool;
        _drain = drain;
        _console = console;
        _endpoint = endpoint;
        _name = name;
        _time = console.TimeProvider;
        _status = new StatusWriter(console.Error, live: !console.IsErrorRedirected);
        _parser = new CarbonLineParser(_time);
    }

    /// <summary>The client options of a pipe: connect lazily, reconnect and replay, never drop, give up through the watchdog.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="spool">The spool directory, or <see langword="null"/>.</param>
    /// <returns>The options.</returns>
    public static GraphiteClientOptions ClientOptions(Endpoint endpoint, string? spool = null) => new()
    {
        SpoolDirectory = spool,
        SpoolLockTimeout = endpoint.Timeout, // an overlapping run holds the spool: wait for it, up to --timeout
        Transport = endpoint.Transport,
        Tls = endpoint.Tls,
        LazyConnect = true,
        FullBufferPolicy = FullBufferPolicy.Wait,

        // The watchdog gives up after endpoint.Timeout without progress, before a send waiting for room would drop.
        FullBufferWaitTimeout = endpoint.Timeout + WatchdogMargin,
        ConnectTimeout = endpoint.Timeout < MaxConnectTimeout ? endpoint.Timeout : MaxConnectTimeout,
        ReconnectMaxDelay = TimeSpan.FromTicks(Math.Clamp(endpoint.Timeout.Ticks / 4, GraphiteClientOptions.Default.ReconnectInitialDelay.Ticks, GraphiteClientOptions.Default.ReconnectMaxDelay.Ticks)),

        // Everything is delivered before closing; closing only gives up what the watchdog (or Ctrl+C) already gave up on.
        DrainTimeout = CloseDrainTimeout,
    };

    /// <summary>The client's statistics at the end of <see cref="RunAsync"/> (null before).</summary>
    public GraphiteClientStatistics? Statistics { get; private set; }

    /// <summary>Points this run had to deliver (read, or left in the spool) and did not (null before the end of <see cref="RunAsync"/>).</summary>
    public long? Undelivered => Statistics is { } stats ? ToDeliver(stats) - stats.PointsDelivered : null;

    /// <summary>Runs the pipe over <paramref name="input"/>.</summary>
    /// <param name="input">The lines.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> RunAsync(TextReader input, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        GraphiteClient client;
        try
        {
            client = GraphiteClient.Create(_endpoint.Host, _endpoint.Port, _endpoint.Protocol, ClientOptions(_endpoint, _spool));
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ErrorText.Of(ex));
        }
        catch (GraphiteException ex)
        {
            throw SpoolOption.Unusable(ex); // the spool is held by another process, or cannot be created or read
        }

        await using (client.ConfigureAwait(false))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var stopTicker = new CancellationTokenSource();
            Task ticker = TickAsync(client, started, stop, stopTicker.Token);
            var lines = new CarbonLineReader(input);
            try
            {
                await SendAllAsync(lines, client, stop.Token).ConfigureAwait(false);
                await client.WaitForDeliveryAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            finally
            {
                await stopTicker.CancelAsync().ConfigureAwait(false);
                await ticker.ConfigureAwait(false);
            }

            await client.CloseAsync().ConfigureAwait(false);
            Statistics = client.Statistics;
            return Finish(client.Statistics, _time.GetElapsedTime(started), lines.LineNumber, cancellationToken.IsCancellationRequested);
        }
    }

    private async Task SendAllAsync(CarbonLineReader lines, GraphiteClient client, CancellationToken cancellationToken)
    {
        while (await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            Interlocked.Exchange(ref _linesRead, lines.LineNumber);
            if (lines.LastLineTooLong)
            {
                Invalid(lines.LineNumber, $"the line is longer than {CarbonLineReader.MaxLineChars} characters");
                continue;
            }

            if (line.Contains('\uFFFD', StringComparison.Ordinal))
            {
                // The input is decoded with replacement characters: carbon would drop the connection on invalid UTF-8.
                Invalid(lines.LineNumber, "the line is not valid UTF-8 text");
                continue;
            }

            if (CarbonLineParser.IsBlank(line))
            {
                _blank++;
                continue;
            }

            if (!_parser.TryParse(line, out Datapoint point, out string? error))
            {
                Invalid(lines.LineNumber, error!);
                continue;
            }

            try
            {
                await client.SendAsync(point.Metric, point.Value, point.Timestamp, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                Invalid(lines.LineNumber, ErrorText.Of(ex));
            }
        }
    }

    private void Invalid(long lineNumber, string error)
    {
        Interlocked.Increment(ref _invalid);
        _status.WriteLine($"{_name}: line {lineNumber}: {error}");
    }

    /// <summary>Every ~250 ms: checks delivery with the watchdog (stopping the pipe when carbon stays away or takes nothing) and redraws the progress line.</summary>
    private async Task TickAsync(GraphiteClient client, long started, CancellationTokenSource stop, CancellationToken cancellationToken)
    {
        var watchdog = new DeliveryWatchdog(_endpoint.Timeout, _time);
        using var timer = new PeriodicTimer(ProgressInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                GraphiteClientStatistics stats = client.Statistics;
                if (TlsFailureBeforeConnecting(client.GetConnectionStatus(0)) is { } tls)
                {
                    _tlsFailure = tls;
                    await stop.CancelAsync().ConfigureAwait(false);
                    return;
                }

                // Points synced to the spool are progress too: they are safe while carbon is away.
                if (watchdog.Observe(stats.PointsDelivered + stats.Spool.PointsSpooled, Waiting(stats)))
                {
                    _unreachable = true;
                    await stop.CancelAsync().ConfigureAwait(false);
                    return;
                }

                _status.SetStatus(Progress(stats, _time.GetElapsedTime(started), watchdog.StalledFor));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// A TLS failure (a refused certificate, a port that does not speak TLS: a failure without a socket error) before any
    /// connection succeeded: a configuration mistake that retrying until the timeout would not mend.
    /// </summary>
    private static GraphiteException? TlsFailureBeforeConnecting(GraphiteConnectionStatus status) =>
        !status.HasConnected && status.LastConnectFailure is { Host: not null, SocketError: null } failure ? failure : null;

    private string Progress(GraphiteClientStatistics stats, TimeSpan elapsed, TimeSpan stalledFor)
    {
        string text = $"{Rate.Count(Interlocked.Read(ref _linesRead), "line")} read, {Rate.Count(stats.PointsDelivered, "point")} delivered ({Rate.PerSecond(stats.PointsDelivered, elapsed)}), {Rate.Count(Interlocked.Read(ref _invalid))} invalid";
        return stalledFor >= ShowStallAfter
            ? $"{text}; waiting for carbon at {_endpoint} for {ConnectionOptions.Seconds(TimeSpan.FromSeconds(Math.Floor(stalledFor.TotalSeconds)))} of {_endpoint.TimeoutText}"
            : text;
    }

    /// <summary>Points accepted (or left in the spool by an earlier run) and neither delivered nor given up.</summary>
    private static long Waiting(GraphiteClientStatistics stats) => ToDeliver(stats) - stats.PointsDelivered - stats.PointsDropped;

    /// <summary>Every point this run has to deliver: those it read, and those an earlier run left in the spool.</summary>
    private static long ToDeliver(GraphiteClientStatistics stats) => stats.PointsAccepted + stats.Spool.PointsRecovered;

    /// <summary>", and N points carbon read but may have lost were not sent again" (empty when none).</summary>
    private static string AtRisk(GraphiteClientStatistics stats) => stats.PointsNotReplayed > 0
        ? $", and {Rate.Count(stats.PointsNotReplayed, "point")} carbon read but may have lost (its connection dropped before it was seen running for the replay window) were not sent again"
        : string.Empty;

    private int Finish(GraphiteClientStatistics stats, TimeSpan elapsed, long lineNumber, bool interrupted)
    {
        _status.ClearStatus();
        long notDelivered = ToDeliver(stats) - stats.PointsDelivered;
        string atRisk = AtRisk(stats);
        if (_tlsFailure is { } tls && !interrupted)
        {
            _status.WriteLine($"{_name}: {ErrorText.Of(tls)} Gave up at line {lineNumber} with {Rate.Count(notDelivered)} of {Rate.Count(ToDeliver(stats))} points not delivered.");
            return ExitCodes.Failure;
        }

        string blank = _blank > 0 ? $", {Rate.Count(_blank)} blank" : string.Empty;
        string reconnects = stats.Reconnects > 0
            ? $"; reconnected {Rate.Count(stats.Reconnects, "time")}, {Rate.Count(stats.PointsReplayed, "point")} replayed"
            : string.Empty;
        string recovered = stats.Spool.PointsRecovered > 0
            ? $" ({Rate.Count(stats.Spool.PointsRecovered, "point")} left in the spool by an earlier run, sent first)"
            : string.Empty;
        _status.WriteLine(_drain
            ? $"{_name}: {Rate.Count(stats.PointsDelivered, "point")} of {Rate.Count(ToDeliver(stats))} delivered from the spool '{_spool}' to {_endpoint} in {Rate.Seconds(elapsed)} ({Rate.PerSecond(stats.PointsDelivered, elapsed)}){reconnects}"
            : $"{_name}: {Rate.Count(lineNumber, "line")} read, {Rate.Count(stats.PointsDelivered, "point")} delivered{recovered}, {Rate.Count(_invalid)} invalid{blank} in {Rate.Seconds(elapsed)} ({Rate.PerSecond(stats.PointsDelivered, elapsed)}){reconnects}");
        if (SpoolOption.Damage(stats.Spool, _spool) is { } damage)
        {
            _status.WriteLine($"{_name}: {damage}");
        }

        string kept = _spool is not null && (notDelivered > 0 || stats.PointsNotReplayed > 0) && stats.Spool.Errors == 0
            ? $" They stay in the spool '{_spool}': the next run with --spool {_spool} sends them first."
            : string.Empty;
        if (interrupted)
        {
            _status.WriteLine($"{_name}: interrupted at line {lineNumber} with {Rate.Count(notDelivered)} of {Rate.Count(ToDeliver(stats))} points not delivered{atRisk}.{kept}");
            return ExitCodes.Interrupted;
        }

        if (_unreachable)
        {
            _status.WriteLine($"{_name}: Graphite at {_endpoint} consumed nothing for more than {_endpoint.TimeoutText} (unreachable, or not reading): gave up at line {lineNumber} with {Rate.Count(notDelivered)} of {Rate.Count(ToDeliver(stats))} points not delivered{atRisk}.{kept}");
            return ExitCodes.Failure;
        }

        if (notDelivered > 0)
        {
            _status.WriteLine($"{_name}: {Rate.Count(notDelivered)} of {Rate.Count(ToDeliver(stats))} points could not be confirmed as delivered to Graphite at {_endpoint}{atRisk}.{kept}");
            return ExitCodes.Failure;
        }

        if (stats.PointsNotReplayed > 0)
        {
            _status.WriteLine($"{_name}: Graphite at {_endpoint} read every point but did not confirm the end{atRisk}.{kept}");
            return ExitCodes.Failure;
        }

        if (stats.Spool.DamagedRecords > 0)
        {
            return ExitCodes.SpoolDamaged;
        }

        return _invalid > 0 ? ExitCodes.InvalidLines : ExitCodes.Success;
    }
}
