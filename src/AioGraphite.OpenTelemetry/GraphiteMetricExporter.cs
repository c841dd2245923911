using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace AioGraphite.OpenTelemetry;

/// <summary>
/// An OpenTelemetry metric exporter that writes every metric point through a <see cref="GraphiteClient"/>.
/// Usually added with <c>AddGraphiteExporter()</c>, which wraps it in a <see cref="PeriodicExportingMetricReader"/>.
/// </summary>
/// <remarks>
/// What is written per point, named by <see cref="GraphiteExporterOptions.NameMapper"/> and stamped with the
/// point's end time (Unix seconds):
/// <list type="bullet">
/// <item>counter, up-down counter (monotonic or not), gauge: the value under the series name;</item>
/// <item>histogram: <c>.count</c>, <c>.sum</c>, <c>.min</c> and <c>.max</c> (when recorded), and
/// <c>.bucket.le_&lt;bound&gt;</c> for every bound plus <c>.bucket.le_inf</c>, each the number of values at most
/// that bound (cumulative over the buckets, as Prometheus' <c>le</c>);</item>
/// <item>exponential histogram: <c>.count</c>, <c>.sum</c>, <c>.min</c>, <c>.max</c>.</item>
/// </list>
/// Non-finite values are skipped. An export hands the points to the client's buffer, then waits up to
/// <see cref="GraphiteExporterOptions.ExportTimeout"/> for the client to write them, so that a successful export
/// (and <c>MeterProvider.ForceFlush()</c>) means "on the wire to carbon". It fails when the client refused points
/// (closed, full buffer, invalid names) or could not write them in time (carbon down: they stay buffered and are
/// delivered after the reconnect).
/// </remarks>
public sealed class GraphiteMetricExporter : BaseExporter<Metric>
{
    private readonly GraphiteClient _client;
    private readonly GraphiteDatapointValidator _rules;
    private readonly bool _ownsClient;
    private readonly GraphiteMetricNameMapper _mapper;
    private readonly ILogger _log;
    private readonly int _exportTimeoutMs;
    private (string Metric, string Reason)? _firstInvalid; // of the export in progress (exports do not overlap)
    private int _closed;

    /// <summary>Creates the exporter; it creates its own client unless <see cref="GraphiteExporterOptions.Client"/> is set.</summary>
    /// <param name="options">The settings.</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public GraphiteMetricExporter(GraphiteExporterOptions options)
        : this(options, loggerFactory: null, meterFactory: null)
    {
    }

    internal GraphiteMetricExporter(GraphiteExporterOptions options, ILoggerFactory? loggerFactory, System.Diagnostics.Metrics.IMeterFactory? meterFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        _mapper = options.NameMapper;
        _exportTimeoutMs = (int)options.ExportTimeout.TotalMilliseconds;
        if (options.Client is { } client)
        {
            _client = client;
        }
        else
        {
            GraphiteClientOptions clientOptions = options.ClientOptions with
            {
                LazyConnect = true,
                LoggerFactory = options.ClientOptions.LoggerFactory ?? loggerFactory,
                MeterFactory = options.ClientOptions.MeterFactory ?? meterFactory,
            };
            IGraphiteProtocol protocol = string.Equals(options.Protocol, "pickle", StringComparison.OrdinalIgnoreCase) ? new PickleProtocol() : new PlaintextProtocol();
            _client = GraphiteClient.Create(options.Host, options.Port ?? GraphiteDefaultPorts.For(protocol, clientOptions.Transport), protocol, clientOptions);
            _ownsClient = true;
        }

        _rules = new GraphiteDatapointValidator(_client.Options);
        _log = (loggerFactory ?? options.ClientOptions.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<GraphiteMetricExporter>();
    }

    /// <summary>The client the points are written through.</summary>
    public GraphiteClient Client => _client;

    /// <inheritdoc/>
    public override ExportResult Export(in Batch<Metric> batch)
    {
        var tags = new List<KeyValuePair<string, object?>>();
        long written = 0;
        long refused = 0;
        foreach (Metric metric in batch)
        {
            MetricType type = metric.MetricType;
            foreach (ref readonly MetricPoint point in metric.GetMetricPoints())
            {
                tags.Clear();
                foreach (KeyValuePair<string, object?> tag in point.Tags)
                {
                    tags.Add(tag);
                }

                MappedSeries series = _mapper.Map(metric.Name, tags);
                long ts = point.EndTime.ToUnixTimeSeconds();
                if (type.IsSum())
                {
                    Send(series.Name(null), type.IsDouble() ? point.GetSumDouble() : point.GetSumLong(), ts, ref written, ref refused);
                }
                else if (type.IsGauge())
                {
                    Send(series.Name(null), type.IsDouble() ? point.GetGaugeLastValueDouble() : point.GetGaugeLastValueLong(), ts, ref written, ref refused);
                }
                else if (type.IsHistogram())
                {
                    SendHistogram(in point, series, ts, exponential: type == MetricType.ExponentialHistogram, ref written, ref refused);
                }
            }
        }

        if (refused > 0)
        {
            ExporterLog.PointsRefused(_log, refused, written, _client.ToString());
            if (_firstInvalid is { } invalid)
            {
                ExporterLog.InvalidPoint(_log, invalid.Metric, invalid.Reason);
                _firstInvalid = null;
            }

            return ExportResult.Failure;
        }

        // Wait (on the reader's thread) until the points are on the wire, so that MeterProvider.ForceFlush() and
        // the final export at shutdown mean "written to carbon". While carbon is down this gives up after
        // ExportTimeout; the points stay buffered and the client delivers them once it has reconnected.
        if (written > 0 && !Flush(_exportTimeoutMs))
        {
            ExporterLog.NotYetWritten(_log, written, _exportTimeoutMs, _client.ToString());
            return ExportResult.Failure;
        }

        return ExportResult.Success;
    }

    /// <summary>
    /// Waits until the client has written every point handed to it. An infinite timeout (OpenTelemetry's default)
    /// is capped at <see cref="GraphiteExporterOptions.ExportTimeout"/>, so that a flush never hangs while carbon is down.
    /// </summary>
    /// <param name="timeoutMilliseconds">How long to wait; <see cref="Timeout.Infinite"/> for the export timeout.</param>
    /// <returns>Whether everything was written in time.</returns>
    protected override bool OnForceFlush(int timeoutMilliseconds) => Flush(timeoutMilliseconds);

    /// <inheritdoc/>
    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        if (!_ownsClient)
        {
            return Flush(timeoutMilliseconds);
        }

        return Close(timeoutMilliseconds);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsClient)
        {
            Close(Timeout.Infinite);
        }

        base.Dispose(disposing);
    }

    private static void Validate(GraphiteExporterOptions options)
    {
        if (options.ExportInterval <= TimeSpan.Zero || options.ExportInterval.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ExportInterval, "GraphiteExporterOptions.ExportInterval must be positive (and under 24 days).");
        }

        if (options.ExportTimeout <= TimeSpan.Zero || options.ExportTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ExportTimeout, "GraphiteExporterOptions.ExportTimeout must be positive (and under 24 days).");
        }

        if (options.NameMapper is null)
        {
            throw new ArgumentException("GraphiteExporterOptions.NameMapper must not be null.", nameof(options));
        }

        if (options.Client is not null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(options.Host))
        {
            throw new ArgumentException("GraphiteExporterOptions.Host is required (or set GraphiteExporterOptions.Client).", nameof(options));
        }

        if (options.Port is int port && (port < 1 || port > IPEndPoint.MaxPort))
        {
            throw new ArgumentOutOfRangeException(nameof(options), port, "GraphiteExporterOptions.Port must be between 1 and 65535.");
        }

        if (!string.Equals(options.Protocol, "plaintext", StringComparison.OrdinalIgnoreCase) && !string.Equals(options.Protocol, "pickle", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"GraphiteExporterOptions.Protocol '{options.Protocol}' is not supported: use 'plaintext' or 'pickle'.", nameof(options));
        }

        if (options.ClientOptions is null)
        {
            throw new ArgumentException("GraphiteExporterOptions.ClientOptions must not be null.", nameof(options));
        }
    }

    private void SendHistogram(in MetricPoint point, MappedSeries series, long ts, bool exponential, ref long written, ref long refused)
    {
        Send(series.Name("count"), point.GetHistogramCount(), ts, ref written, ref refused);
        Send(series.Name("sum"), point.GetHistogramSum(), ts, ref written, ref refused);
        if (point.TryGetHistogramMinMaxValues(out double min, out double max))
        {
            Send(series.Name("min"), min, ts, ref written, ref refused);
            Send(series.Name("max"), max, ts, ref written, ref refused);
        }

        if (exponential)
        {
            return;
        }

        long cumulative = 0;
        foreach (HistogramBucket bucket in point.GetHistogramBuckets())
        {
            cumulative += bucket.BucketCount;
            Send(series.Name(GraphiteMetricNameMapper.BucketSuffix(bucket.ExplicitBound)), cumulative, ts, ref written, ref refused);
        }
    }

    private void Send(string name, double value, long timestamp, ref long written, ref long refused)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        if (_client.TrySend(name, value, timestamp))
        {
            written++;
        }
        else
        {
            refused++;
            if (_firstInvalid is null && !_rules.TryValidate(new Datapoint(name, value, timestamp), out string? reason))
            {
                _firstInvalid = (name, reason);
            }
        }
    }

    private bool Flush(int timeoutMilliseconds)
    {
        try
        {
            using var timeout = new CancellationTokenSource(timeoutMilliseconds < 0 ? _exportTimeoutMs : timeoutMilliseconds);

            _client.FlushAsync(timeout.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private bool Close(int timeoutMilliseconds)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return true;
        }

        // CloseAsync delivers what is buffered within the client's DrainTimeout; never throws.
        return _client.CloseAsync().Wait(timeoutMilliseconds < 0 ? Timeout.Infinite : timeoutMilliseconds);
    }
}
