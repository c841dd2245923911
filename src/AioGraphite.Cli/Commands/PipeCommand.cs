using System.CommandLine;
using System.Text;
using AioGraphite.Cli.Input;

namespace AioGraphite.Cli.Commands;

/// <summary><c>aiographite pipe</c>: streams carbon plaintext lines from a file or standard input to carbon.</summary>
internal static class PipeCommand
{
    /// <summary>
    /// Default <c>--timeout</c>: how long carbon may go without taking any point before the pipe gives up: long enough for
    /// a slow carbon restart, a freeze or a short network partition (the dead-peer timeout alone is 20 s).
    /// </summary>
    public const double DefaultTimeoutSeconds = 60;

    /// <summary>Creates the command.</summary>
    /// <param name="console">The console.</param>
    /// <param name="examples">Where its help examples are registered.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliConsole console, HelpExamples examples)
    {
        var input = new Option<string?>("--input", "-i")
        {
            Description = "Read lines from FILE instead of standard input ('-' is standard input)",
            HelpName = "FILE",
        };
        var connection = new ConnectionOptions(
            console,
            DefaultTimeoutSeconds,
            "How long carbon may go without consuming any point (points waiting, none delivered; with --spool, none spooled either) before giving up with exit code 2; meanwhile the client reconnects and replays");
        Option<string?> spool = SpoolOption.Create("every point read");
        var command = new Command(
            "pipe",
            "Send carbon plaintext lines 'metric value [timestamp]' (2 or 3 fields split on whitespace, numbers as Python's float() reads them, "
            + "no timestamp or -1 means now) from standard input or a file. Invalid lines are reported with their line number and skipped; "
            + "blank lines are ignored. Shows live progress when standard error is a terminal, a summary at the end, and exits once carbon has "
            + "consumed every point (it closes the connection after reading to its end: the proof). "
            + "Exit code 0 when every line was valid and every point delivered, 1 when some lines were invalid (and every valid point delivered), "
            + "2 on a usage error or when points could not be delivered (carbon unreachable or not consuming for longer than --timeout). "
            + "With --spool, points read while carbon is away go to disk and the pipe keeps reading; what carbon has not consumed at the end "
            + "stays in the spool for the next run (exit code 2 says how many). Exit code 3 when everything else was delivered but the spool "
            + "held damaged records that could not be sent (the summary says how many, and where a copy of the damaged file is kept).")
        {
            input,
            spool,
        };
        connection.AddTo(command);
        examples.Add(
            command,
            "printf 'app.requests 12\\napp.errors 0 1700000000\\n' | aiographite pipe",
            "aiographite pipe --input metrics.txt --host graphite.example.com --protocol pickle",
            "tail -F /var/log/app/metrics.log | aiographite pipe --timeout 120",
            "aiographite pipe --input metrics.txt --host carbon.example.com --port 2443 --tls --tls-ca ca.pem",
            "tail -F /var/log/app/metrics.log | aiographite pipe --spool /var/spool/aiographite   # survives outages and restarts",
            "aiographite pipe --spool /var/spool/aiographite < /dev/null                          # send what an earlier run left");
        CommandRunner.SetAction(command, console, async (result, cancellationToken) =>
        {
            Endpoint endpoint = connection.Resolve(result);
            using TextReader reader = OpenInput(result.GetValue(input), console);
            var session = new PipeSession(console, endpoint, CliApplication.CommandPath(result), result.GetValue(spool));
            return await session.RunAsync(reader, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static TextReader OpenInput(string? path, CliConsole console)
    {
        if (path is null or "-")
        {
            return console.OpenStandardInput();
        }

        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, CarbonLineReader.DefaultBufferChars, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, CarbonLineReader.DefaultBufferChars);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"Cannot read the input file '{path}': {ex.Message}");
        }
    }
}
