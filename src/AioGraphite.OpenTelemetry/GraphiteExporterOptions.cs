using OpenTelemetry.Metrics;

namespace AioGraphite.OpenTelemetry;

/// <summary>
/// Settings of the Graphite metrics exporter (<c>AddGraphiteExporter</c>). Bindable from configuration
/// (<c>services.AddOptions&lt;GraphiteExporterOptions&gt;().BindConfiguration("Graphite")</c>).
/// </summary>
public sealed class GraphiteExporterOptions
{
    /// <summary>carbon's host, for the client the exporter creates. Default <c>localhost</c>. Ignored when <see cref="Client"/> is set.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>carbon's port. Default: 2003 for <c>plaintext</c>, 2004 for <c>pickle</c>. Ignored when <see cref="Client"/> is set.</summary>
    public int? Port { get; set; }

    /// <summary>The wire protocol: <c>plaintext</c> (default) or <c>pickle</c>, case-insensitive. Ignored when <see cref="Client"/> is set.</summary>
    public string Protocol { get; set; } = "plaintext";

    /// <summary>
    /// Settings of the client the exporter creates (it always connects lazily: the exporter never blocks start-up).
    /// A <see langword="null"/> <see cref="GraphiteClientOptions.LoggerFactory"/> or <see cref="GraphiteClientOptions.MeterFactory"/>
    /// is taken from dependency injection when there is one. Default: the defaults of <see cref="GraphiteClientOptions"/> (a fresh instance, so that binding configuration never changes <see cref="GraphiteClientOptions.Default"/>).
    /// Ignored when <see cref="Client"/> is set.
    /// </summary>
    public GraphiteClientOptions ClientOptions { get; set; } = new();

    /// <summary>
    /// An existing client to write through. Default <see langword="null"/>: the exporter creates its own client from
    /// <see cref="Host"/>, <see cref="Port"/>, <see cref="Protocol"/> and <see cref="ClientOptions"/>, and closes it
    /// when the meter provider shuts down. A client passed here is flushed on shutdown but never closed: its owner
    /// closes it (after the meter provider, or the last export is lost).
    /// </summary>
    public GraphiteClient? Client { get; set; }

    /// <summary>How often metrics are collected and written. Default 10 seconds (the usual finest Graphite retention).</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one export, a flush or the shutdown may take. Default 10 seconds.</summary>
    public TimeSpan ExportTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// <see cref="MetricReaderTemporalityPreference.Cumulative"/> (the default): counters and histograms are
    /// written as totals since the start of the process, which survive a lost export and suit Graphite's
    /// <c>nonNegativeDerivative()</c> / <c>perSecond()</c>. <see cref="MetricReaderTemporalityPreference.Delta"/>:
    /// counters and histograms are written as the change during each export interval (use
    /// <c>aggregationMethod = sum</c> in carbon's storage-aggregation.conf); up-down counters stay cumulative and
    /// gauges are always the last value.
    /// </summary>
    public MetricReaderTemporalityPreference TemporalityPreference { get; set; } = MetricReaderTemporalityPreference.Cumulative;

    /// <summary>How instrument names and attributes become Graphite names. Default: a new <see cref="GraphiteMetricNameMapper"/> (path style, no prefix).</summary>
    public GraphiteMetricNameMapper NameMapper { get; set; } = new();
}
