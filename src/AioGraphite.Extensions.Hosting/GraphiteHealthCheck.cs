using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AioGraphite.Extensions.Hosting;

/// <summary>
/// The Graphite health check: reads every destination's <see cref="GraphiteConnectionStatus"/> and
/// <see cref="GraphiteClientStatistics"/> on the client's clock and judges them by <see cref="GraphiteHealthCheckOptions"/>.
/// </summary>
internal sealed class GraphiteHealthCheck : IHealthCheck
{
    private readonly GraphiteClient _client;
    private readonly GraphiteHealthCheckOptions _options;
    private readonly DroppedPointsWatch _drops;

    public GraphiteHealthCheck(GraphiteClient client, GraphiteHealthCheckOptions options, DroppedPointsWatch drops)
    {
        options.Validate();
        _client = client;
        _options = options;
        _drops = drops;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var destinations = new DestinationState[_client.Destinations.Count];
        for (int i = 0; i < destinations.Length; i++)
        {
            destinations[i] = new DestinationState(_client.Destinations[i].ToString(), _client.GetConnectionStatus(i), _client.GetDestinationStatistics(i));
        }

        HealthStatus failure = context.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        return Task.FromResult(Evaluate(destinations, _client.Statistics, _client.Options.BufferCapacityBytes, _client.Options.TimeProvider.GetUtcNow(), _options, _drops, _client, failure));
    }

    /// <summary>
    /// Judges the destinations' state at <paramref name="now"/>: the worst status of any finding, every finding in the
    /// description, the figures in the data (per destination, and the client's <paramref name="total"/>).
    /// </summary>
    internal static HealthCheckResult Evaluate(IReadOnlyList<DestinationState> destinations, GraphiteClientStatistics total, long bufferCapacityBytes, DateTimeOffset now, GraphiteHealthCheckOptions options, DroppedPointsWatch drops, object owner, HealthStatus failureStatus)
    {
        var status = HealthStatus.Healthy;
        var findings = new List<string>();
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        DateTimeOffset? lastDelivery = null;
        foreach (DestinationState d in destinations)
        {
            GraphiteConnectionStatus s = d.Status;
            GraphiteClientStatistics stats = d.Statistics;
            if (s.LastDeliveryTime > lastDelivery || lastDelivery is null)
            {
                lastDelivery = s.LastDeliveryTime;
            }

            data[d.Name + ".connected"] = s.IsConnected;
            data[d.Name + ".replaying"] = s.IsReplaying;
            data[d.Name + ".bufferedBytes"] = stats.BufferedBytes;
            if (s.DisconnectedSince is { } since)
            {
                TimeSpan down = now - since;
                data[d.Name + ".disconnectedSince"] = since.ToString("O", CultureInfo.InvariantCulture);
                if (down > options.UnreachableThreshold)
                {
                    status = Worse(status, failureStatus);
                    findings.Add($"Carbon at {d.Name} has been unreachable for {Seconds(down)}, longer than the {Seconds(options.UnreachableThreshold)} allowed.");
                }
                else
                {
                    status = Worse(status, HealthStatus.Degraded);
                    findings.Add($"Reconnecting to carbon at {d.Name}, which has been unreachable for {Seconds(down)}.");
                }

                if (s.LastConnectFailure is { } failure)
                {
                    data[d.Name + ".lastConnectFailure"] = failure.Message;
                }
            }

            if (s.IsReplaying)
            {
                status = Worse(status, HealthStatus.Degraded);
                findings.Add(stats.InFlightPoints > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{Points(stats.InFlightPoints)} {(stats.InFlightPoints == 1 ? "waits" : "wait")} to be sent again to {d.Name}, which may have lost {(stats.InFlightPoints == 1 ? "it" : "them")} when the connection dropped.")
                    : $"Points wait to be sent again to {d.Name}, which may have lost them when the connection dropped.");
            }

            GraphiteSpoolStatistics spool = stats.Spool;
            if (spool != default)
            {
                data[d.Name + ".spool.bytes"] = spool.Bytes;
                data[d.Name + ".spool.records"] = spool.Records;
                data[d.Name + ".spool.files"] = spool.Files;
                data[d.Name + ".spool.quarantinedBytes"] = spool.QuarantinedBytes;
                data[d.Name + ".spool.damagedRecords"] = spool.DamagedRecords;
                data[d.Name + ".spool.damagedBytes"] = spool.DamagedBytes;
                data[d.Name + ".spool.damagedPoints"] = spool.DamagedPoints;
                data[d.Name + ".spool.errors"] = spool.Errors;
            }

            if (spool.DamagedRecords > 0)
            {
                status = Worse(status, HealthStatus.Degraded);
                findings.Add(string.Create(CultureInfo.InvariantCulture, $"The spool of {d.Name} had {spool.DamagedRecords} damaged {(spool.DamagedRecords == 1 ? "record" : "records")} at start-up ({spool.DamagedBytes} bytes, about {Points(spool.DamagedPoints)}) that could not be sent; a copy of each damaged file is kept in the spool directory as NAME.spool.corrupt ({spool.QuarantinedBytes} bytes of copies now). The spool holds {spool.Bytes} bytes in {spool.Records} records."));
            }

            if (stats.BufferedBytes > options.BufferThreshold * bufferCapacityBytes)
            {
                status = Worse(status, HealthStatus.Degraded);
                findings.Add(string.Create(CultureInfo.InvariantCulture, $"The buffer for {d.Name} is {100.0 * stats.BufferedBytes / bufferCapacityBytes:0}% full: it holds {stats.BufferedBytes} of {bufferCapacityBytes} bytes."));
            }
        }

        long dropped = total.PointsDropped;
        DateTimeOffset? lastDrop = drops.Observe(owner, dropped, now);
        if (lastDrop is { } dropAt && now - dropAt <= options.DroppedPointsWindow)
        {
            status = Worse(status, failureStatus);
            findings.Add(string.Create(CultureInfo.InvariantCulture, $"Points were dropped {Seconds(now - dropAt)} ago; {Points(dropped)} {(dropped == 1 ? "has" : "have")} been dropped since the client started."));
        }

        long spoolErrors = total.Spool.Errors;
        DateTimeOffset? lastSpoolError = drops.SpoolErrors.Observe(owner, spoolErrors, now);
        if (lastSpoolError is { } errorAt && now - errorAt <= options.DroppedPointsWindow)
        {
            status = Worse(status, HealthStatus.Degraded);
            findings.Add(string.Create(CultureInfo.InvariantCulture, $"The disk spool failed to write or sync {Seconds(now - errorAt)} ago ({spoolErrors} {(spoolErrors == 1 ? "failure" : "failures")} since the client started): meanwhile points stay in memory. The spool holds {total.Spool.Bytes} bytes in {total.Spool.Records} records."));
        }

        if (total.Spool != default)
        {
            data["spoolBytes"] = total.Spool.Bytes;
            data["spoolRecords"] = total.Spool.Records;
            data["spoolDamagedRecords"] = total.Spool.DamagedRecords;
        }

        data["pointsDelivered"] = total.PointsDelivered;
        data["pointsDropped"] = dropped;
        data["pointsReplayed"] = total.PointsReplayed;
        data["bufferedPoints"] = total.BufferedPoints;
        data["inFlightPoints"] = total.InFlightPoints;
        data["reconnects"] = total.Reconnects;
        if (lastDelivery is { } last)
        {
            data["lastDelivery"] = last.ToString("O", CultureInfo.InvariantCulture);
        }

        if (findings.Count == 0)
        {
            findings.Add(lastDelivery is { } at ? $"Connected to carbon, which last consumed points {Seconds(now - at)} ago." : "Connected to carbon.");
        }

        return new HealthCheckResult(status, string.Join(" ", findings), exception: null, data);
    }

    private static HealthStatus Worse(HealthStatus a, HealthStatus b) => a < b ? a : b;

    private static string Points(long count) => string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? "point" : "points")}");

    private static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, t.TotalSeconds):0.#} s");

    /// <summary>One destination's name, connection status and statistics.</summary>
    internal readonly record struct DestinationState(string Name, GraphiteConnectionStatus Status, GraphiteClientStatistics Statistics);
}
