using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AioGraphite.Cli.Output;

namespace AioGraphite.Cli.Commands;

/// <summary>
/// <c>aiographite spool status|verify|drain DIR</c>: an operator's view of a disk spool (<c>--spool DIR</c>), over the
/// library's <see cref="GraphiteSpool.Inspect"/>; <c>drain</c> sends what waits as <c>pipe --spool DIR</c> does.
/// </summary>
internal static class SpoolCommand
{
    /// <summary>Creates the command and its subcommands.</summary>
    /// <param name="console">The console.</param>
    /// <param name="examples">Where help examples are registered.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliConsole console, HelpExamples examples)
    {
        var command = new Command(
            "spool",
            "Look into a disk spool (the DIR of 'pipe --spool DIR' or 'send --spool DIR', or one destination's directory in it) and send what waits in it. "
            + "status and verify only read: they never change the spool and work while a process uses it.")
        {
            Inspect(console, examples, verify: false),
            Inspect(console, examples, verify: true),
            Drain(console, examples),
        };
        examples.Add(
            command,
            "aiographite spool status /var/spool/aiographite",
            "aiographite spool verify /var/spool/aiographite --json",
            "aiographite spool drain /var/spool/aiographite",
            string.Empty,
            "Exit codes: 0 nothing damaged (and, for drain, everything delivered); 3 damaged data, or kept copies of damaged files (.corrupt), found;",
            "2 usage error, unreadable directory, or (drain) points not delivered; 130 interrupted.");
        return command;
    }

    private static Argument<string> Directory() => new("DIR")
    {
        Description = "The spool directory (what --spool named), or one destination's directory in it (e.g. DIR/127.0.0.1_tcp_2003_plaintext)",
    };

    private static Option<bool> Json() => new("--json")
    {
        Description = "Write the report as one JSON object on standard output, for scripts (the shape is documented in docs/spool.md)",
    };

    private static Command Inspect(CliConsole console, HelpExamples examples, bool verify)
    {
        Argument<string> directory = Directory();
        Option<bool> json = Json();
        var command = verify
            ? new Command(
                "verify",
                "Check every record of every spool file (length, CRC-32C checksum, sequence order, and that the payload holds the points its header says) "
                + "and report damage per file: damaged ranges with the records and points they cost, torn tails, quarantined (.corrupt) files. "
                + "Read-only. Exit code 0 when nothing is damaged (a torn tail is not damage: it was never synced), 3 when something is (kept .corrupt copies of damaged files included), 2 when DIR cannot be read.")
            : new Command(
                "status",
                "Show, per destination directory: the destination it belongs to (its identity), the points, records and bytes waiting to be sent "
                + "(after the checkpoint), the oldest and newest point's timestamp, damaged or quarantined data, and who holds the spool's lock. "
                + "Read-only. Exit code 0 when nothing is damaged, 3 when something is (kept .corrupt copies of damaged files included), 2 when DIR cannot be read.");
        command.Arguments.Add(directory);
        command.Options.Add(json);
        examples.Add(
            command,
            verify ? "aiographite spool verify /var/spool/aiographite" : "aiographite spool status /var/spool/aiographite",
            verify ? "aiographite spool verify /var/spool/aiographite --json | jq '.destinations[].damage'" : "aiographite spool status /var/spool/aiographite --json | jq '.points'");
        CommandRunner.SetAction(command, console, async (result, cancellationToken) =>
        {
            GraphiteSpoolReport report = Read(result.GetValue(directory)!, verify);
            bool asJson = result.GetValue(json);
            await console.Out.WriteAsync(asJson ? SpoolReportWriter.Json(report, verify) : SpoolReportWriter.Text(report, verify)).ConfigureAwait(false);
            return report.HasDamage ? ExitCodes.SpoolDamaged : ExitCodes.Success;
        });
        return command;
    }

    private static Command Drain(CliConsole console, HelpExamples examples)
    {
        Argument<string> directory = Directory();
        Option<bool> json = Json();
        var connection = new ConnectionOptions(
            console,
            PipeCommand.DefaultTimeoutSeconds,
            "How long carbon may go without consuming any point before giving up (exit code 2; what was not delivered stays in the spool)");
        var command = new Command(
            "drain",
            "Send the points waiting in the spool to the destination each destination directory belongs to (its identity file, or its name for spools "
            + "written before identity files), as 'aiographite pipe --spool DIR < /dev/null' does, and report what was delivered. "
            + "--host, --port and --protocol choose which destination directories to drain (those whose identity matches); the --tls options and --timeout apply to all. "
            + "Exit code 0 when every point was delivered and nothing is damaged, 3 when everything readable was delivered but the spool holds damaged "
            + "or quarantined data, 2 on a usage error or when points could not be delivered (they stay in the spool), 130 when interrupted.")
        {
            directory,
            json,
        };
        connection.AddTo(command);
        examples.Add(
            command,
            "aiographite spool drain /var/spool/aiographite",
            "aiographite spool drain /var/spool/aiographite --port 2004 --protocol pickle      # only the pickle destination on port 2004",
            "aiographite spool drain /var/spool/aiographite/carbon.example_tcp_2443_plaintext --tls-ca ca.pem");
        CommandRunner.SetAction(command, console, async (result, cancellationToken) =>
        {
            GraphiteSpoolReport report = Read(result.GetValue(directory)!, verify: false);
            string name = CliApplication.CommandPath(result);
            List<GraphiteSpoolDestinationReport> chosen = Choose(report, result, connection);
            var outcomes = new List<(GraphiteSpoolDestinationReport Destination, Endpoint? Endpoint, GraphiteClientStatistics? Stats, long Undelivered, int ExitCode)>();
            foreach (GraphiteSpoolDestinationReport d in chosen)
            {
                if (d.Identity is not { } identity)
                {
                    await console.Error.WriteLineAsync($"{name}: '{d.Directory}' holds {Rate.Count(d.Points, "point")} for an unknown destination (no identity file, and not a name the spool makes): move it to DIR/HOST_tcp_PORT_PROTOCOL to drain it.").ConfigureAwait(false);
                    outcomes.Add((d, null, null, d.Points, ExitCodes.Failure));
                    continue;
                }

                if (d.Foreign)
                {
                    await console.Error.WriteLineAsync($"{name}: '{d.Directory}' holds {Rate.Count(d.Points, "point")} for {identity}, whose directory is '{d.ExpectedName}': rename it to that (once nothing else is there) to drain it.").ConfigureAwait(false);
                    outcomes.Add((d, null, null, d.Points, ExitCodes.Failure));
                    continue;
                }

                string protocol = identity.Transport == GraphiteTransport.Udp ? ConnectionOptions.Udp : identity.Protocol;
                Endpoint endpoint = connection.ResolveFor(result, identity.Host, identity.Port, protocol, identity.Tls);
                var session = new PipeSession(console, endpoint, name, Path.GetDirectoryName(d.Directory), drain: true);
                int exitCode = await session.RunAsync(TextReader.Null, cancellationToken).ConfigureAwait(false);
                outcomes.Add((d, endpoint, session.Statistics, session.Undelivered ?? d.Points, exitCode));
                if (exitCode == ExitCodes.Interrupted)
                {
                    break;
                }
            }

            if (chosen.Count == 0)
            {
                await console.Error.WriteLineAsync($"{name}: nothing waits in '{report.Directory}'.").ConfigureAwait(false);
            }

            if (report.HasDamage)
            {
                await console.Error.WriteLineAsync($"{name}: '{report.Directory}' holds damaged or quarantined data that cannot be sent: see 'aiographite spool verify {report.Directory}'.").ConfigureAwait(false);
            }

            if (result.GetValue(json))
            {
                await console.Out.WriteAsync(DrainJson(report, outcomes.Select(o => (o.Destination, o.Endpoint, o.Stats?.PointsDelivered ?? 0, o.Undelivered, o.ExitCode)))).ConfigureAwait(false);
            }

            int worst = outcomes.Select(o => o.ExitCode).DefaultIfEmpty(ExitCodes.Success).Max();
            return worst != ExitCodes.Success ? worst : report.HasDamage ? ExitCodes.SpoolDamaged : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The destination directories with points waiting, narrowed by <c>--host</c>, <c>--port</c> and <c>--protocol</c> when given.</summary>
    private static List<GraphiteSpoolDestinationReport> Choose(GraphiteSpoolReport report, ParseResult result, ConnectionOptions connection)
    {
        string? host = ConnectionOptions.IsGiven(result, connection.Host) ? result.GetValue(connection.Host)!.Trim() : null;
        int? port = ConnectionOptions.IsGiven(result, connection.Port) ? result.GetValue(connection.Port) : null;
        string? protocol = ConnectionOptions.IsGiven(result, connection.Protocol) ? result.GetValue(connection.Protocol)!.ToLowerInvariant() : null;
        List<GraphiteSpoolDestinationReport> waiting = [.. report.Destinations.Where(d => d.Points > 0)];
        if (host is null && port is null && protocol is null)
        {
            return waiting;
        }

        List<GraphiteSpoolDestinationReport> chosen = [.. waiting.Where(d => d.Identity is { } i
            && (host is null || string.Equals(i.Host, host, StringComparison.OrdinalIgnoreCase))
            && (port is null || i.Port == port)
            && (protocol is null || protocol == (i.Transport == GraphiteTransport.Udp ? ConnectionOptions.Udp : i.Protocol)))];
        if (chosen.Count == 0 && waiting.Count > 0)
        {
            string all = string.Join(", ", waiting.Select(d => d.Identity?.ToString() ?? Path.GetFileName(d.Directory)));
            throw new CliException($"No destination directory in '{report.Directory}' with points waiting matches --host/--port/--protocol; points wait for: {all}. Drop those options, or give one of these.");
        }

        return chosen;
    }

    private static GraphiteSpoolReport Read(string directory, bool verify)
    {
        try
        {
            return GraphiteSpool.Inspect(directory, verify);
        }
        catch (GraphiteException ex)
        {
            throw new CliException(ErrorText.Of(ex));
        }
    }

    private static string DrainJson(GraphiteSpoolReport report, IEnumerable<(GraphiteSpoolDestinationReport Destination, Endpoint? Endpoint, long Delivered, long Undelivered, int ExitCode)> outcomes)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("directory", report.Directory);
            json.WriteBoolean("damaged", report.HasDamage);
            json.WriteStartArray("destinations");
            foreach (var o in outcomes)
            {
                json.WriteStartObject();
                json.WriteString("directory", o.Destination.Directory);
                json.WriteString("name", Path.GetFileName(o.Destination.Directory));
                json.WriteString("sent_to", o.Endpoint?.ToString());
                json.WriteNumber("points_waiting", o.Destination.Points);
                json.WriteNumber("delivered", o.Delivered);
                json.WriteNumber("undelivered", o.Undelivered);
                json.WriteNumber("exit_code", o.ExitCode);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
