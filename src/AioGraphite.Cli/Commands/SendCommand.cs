using System.CommandLine;
using AioGraphite.Cli.Input;
using AioGraphite.Cli.Output;

namespace AioGraphite.Cli.Commands;

/// <summary><c>aiographite send METRIC VALUE [TIMESTAMP]</c>: sends one point and waits until it is written.</summary>
internal static class SendCommand
{
    /// <summary>Default <c>--timeout</c>: the connect timeout, as in the library.</summary>
    public const double DefaultTimeoutSeconds = 5;

    /// <summary>Creates the command.</summary>
    /// <param name="console">The console.</param>
    /// <param name="examples">Where its help examples are registered.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliConsole console, HelpExamples examples)
    {
        var metric = new Argument<string>("METRIC")
        {
            Description = "The metric path, e.g. servers.web1.cpu (no whitespace; tags with --tag or as name;k=v)",
        };
        var value = new Argument<string>("VALUE")
        {
            Description = "The value, a finite number as Python's float() reads it: 42, -1.5, 1e3",
        };
        var timestamp = new Argument<string?>("TIMESTAMP")
        {
            Description = "Unix time in seconds (fractions are truncated); omitted, 0 or -1 means now",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var tags = new Option<string[]>("--tag", "-t")
        {
            Description = "A Graphite 1.1 tag NAME=VALUE added to the metric; repeat for more tags",
            HelpName = "NAME=VALUE",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var connection = new ConnectionOptions(
            console,
            DefaultTimeoutSeconds,
            "How long to wait for carbon: to connect, then to consume the point");
        Option<string?> spool = SpoolOption.Create("the point");
        var command = new Command("send", "Send one point to carbon and wait until carbon has consumed it (carbon closes the connection after reading to its end: the proof). Exit code 0 then, 2 when carbon cannot be reached or does not confirm within --timeout. "
            + "With --spool, points an earlier run left in the spool go first, and a point carbon did not confirm stays there for the next run (exit code 2).")
        {
            metric, value, timestamp, tags, spool,
        };
        connection.AddTo(command);
        examples.Add(
            command,
            "aiographite send servers.web1.cpu 42.5",
            "aiographite send app.latency 0.25 1700000000 --host graphite.example.com",
            "aiographite send disk.used 81 --tag host=web1 --tag dc=eu      # disk.used;dc=eu;host=web1",
            "aiographite send app.requests 12 --protocol pickle            # port 2004",
            "aiographite send app.requests 12 --protocol udp --port 2003",
            "aiographite send app.up 1 --host carbon.example.com --port 2443 --tls --tls-ca ca.pem --tls-cert me.pem --tls-key me.key",
            "GRAPHITE_HOST=10.0.0.5 aiographite send app.up 1",
            "aiographite send app.deploys 1 --spool /var/spool/aiographite   # kept on disk while carbon is down");
        CommandRunner.SetAction(command, console, (result, cancellationToken) => RunAsync(
            result.GetValue(metric)!,
            result.GetValue(value)!,
            result.GetValue(timestamp),
            result.GetValue(tags) ?? [],
            connection.Resolve(result),
            result.GetValue(spool),
            cancellationToken));
        return command;
    }

    /// <summary>Validates the point, connects, sends, waits for carbon to consume it, and closes.</summary>
    /// <param name="metric">The metric argument.</param>
    /// <param name="valueText">The value argument.</param>
    /// <param name="timestampText">The timestamp argument, if any.</param>
    /// <param name="tagTexts">The <c>--tag</c> values.</param>
    /// <param name="endpoint">Where to send.</param>
    /// <param name="spool">The spool directory (<c>--spool</c>), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string metric, string valueText, string? timestampText, IReadOnlyList<string> tagTexts, Endpoint endpoint, string? spool, CancellationToken cancellationToken)
    {
        var options = new GraphiteClientOptions
        {
            Transport = endpoint.Transport,
            ConnectTimeout = endpoint.Timeout,
            DrainTimeout = endpoint.Timeout,
            Tls = endpoint.Tls,

            SpoolDirectory = spool,

            // With a spool the point is kept on disk while carbon is away: connect in the background, wait for the proof.
            LazyConnect = spool is not null,
        };
        Datapoint point = BuildPoint(metric, valueText, timestampText, tagTexts, new GraphiteDatapointValidator(options));

        GraphiteClient client;
        try
        {
            client = spool is null
                ? await GraphiteClient.ConnectAsync(endpoint.Host, endpoint.Port, endpoint.Protocol, options, cancellationToken).ConfigureAwait(false)
                : GraphiteClient.Create(endpoint.Host, endpoint.Port, endpoint.Protocol, options with { DrainTimeout = TimeSpan.Zero });
        }
        catch (GraphiteException ex)
        {
            throw new CliException(ErrorText.Of(ex));
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ErrorText.Of(ex));
        }

        await using (client.ConfigureAwait(false))
        {
            await client.SendAsync(point.Metric, point.Value, point.Timestamp, cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(endpoint.Timeout);
            try
            {
                await client.WaitForDeliveryAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (spool is not null)
                {
                    await client.CloseAsync().ConfigureAwait(false); // syncs the spool; what carbon did not consume stays there
                    long kept = client.Statistics.PointsUndelivered + client.Statistics.PointsNotReplayed;
                    throw new CliException($"Graphite at {endpoint} did not confirm within the timeout of {endpoint.TimeoutText}: {Rate.Count(kept, "point")} (this one included) stay in the spool '{spool}' and go first with the next run that uses --spool {spool}.");
                }

                throw new CliException($"Graphite at {endpoint} did not confirm the point within the timeout of {endpoint.TimeoutText}: the connection was lost and carbon did not come back, or carbon is not reading.");
            }

            await client.CloseAsync().ConfigureAwait(false);
            GraphiteClientStatistics stats = client.Statistics;
            if (stats.PointsDelivered < 1 + stats.Spool.PointsRecovered || stats.PointsDropped > 0 || stats.PointsNotReplayed > 0)
            {
                throw new CliException($"The point could not be delivered to Graphite at {endpoint} (written {stats.PointsWritten}, delivered {stats.PointsDelivered}, lost {stats.PointsDropped}, read by carbon but not confirmed stored {stats.PointsNotReplayed}).");
            }

            if (SpoolOption.Damage(stats.Spool, spool) is { } damage)
            {
                throw new CliException($"{Rate.Count(stats.PointsDelivered, "point")} delivered; {damage}", ExitCodes.SpoolDamaged);
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Parses and checks the point before any connection is made, so that a mistake is reported as such even when
    /// carbon is down. Throws <see cref="CliException"/> naming what is wrong.
    /// </summary>
    /// <param name="metric">The metric argument.</param>
    /// <param name="valueText">The value argument.</param>
    /// <param name="timestampText">The timestamp argument, if any.</param>
    /// <param name="tagTexts">The <c>--tag</c> values.</param>
    /// <param name="validator">The checks of the client that will send it (over UDP the line must fit a datagram).</param>
    /// <returns>The point to send.</returns>
    public static Datapoint BuildPoint(string metric, string valueText, string? timestampText, IReadOnlyList<string> tagTexts, GraphiteDatapointValidator validator)
    {
        if (!CarbonLineParser.TryParseValue(valueText, out double value, out string? error))
        {
            throw new CliException(Capitalize(error!) + ".");
        }

        long? timestamp = null;
        if (timestampText is not null && !CarbonLineParser.TryParseTimestamp(timestampText, out timestamp, out error))
        {
            throw new CliException(Capitalize(error!) + ".");
        }

        if (tagTexts.Count > 0)
        {
            metric = WithTags(metric, tagTexts);
        }

        var point = new Datapoint(metric, value, timestamp);
        try
        {
            // The client's own checks (name, tags, value, timestamp, line length) without a connection.
            validator.Validate(point);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ErrorText.Of(ex));
        }

        return point;
    }

    private static string WithTags(string metric, IReadOnlyList<string> tagTexts)
    {
        var tags = new List<KeyValuePair<string, string>>(tagTexts.Count);
        foreach (string text in tagTexts)
        {
            int equals = text.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == text.Length - 1)
            {
                throw new CliException($"--tag {CarbonLineParser.Quote(text)} is not NAME=VALUE (for example --tag host=web1).");
            }

            tags.Add(new KeyValuePair<string, string>(text[..equals], text[(equals + 1)..]));
        }

        try
        {
            return GraphiteTags.Format(metric, tags);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ErrorText.Of(ex));
        }
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
