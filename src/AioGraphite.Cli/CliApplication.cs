using System.CommandLine;
using System.CommandLine.Invocation;
using AioGraphite.Cli.Commands;
using AioGraphite.Cli.Output;

namespace AioGraphite.Cli;

/// <summary>The <c>aiographite</c> command line: builds the commands and runs one, in-process and testable.</summary>
internal static class CliApplication
{
    /// <summary>The tool's command name.</summary>
    public const string Name = "aiographite";

    /// <summary>How long Ctrl+C or SIGTERM lets the running command end (deliver or report) before the process exits.</summary>
    private static readonly TimeSpan TerminationGrace = TimeSpan.FromSeconds(3);

    /// <summary>Builds the root command with every subcommand.</summary>
    /// <param name="console">The console the commands use.</param>
    /// <returns>The root command.</returns>
    public static RootCommand Build(CliConsole console)
    {
        var examples = new HelpExamples();
        var root = new RootCommand("aiographite: send metrics to Graphite (carbon) over plaintext, pickle or UDP, and encode metric names as Python's aiographite does.")
        {
            SendCommand.Create(console, examples),
            PipeCommand.Create(console, examples),
            EncodeCommand.Create(console, examples),
            DecodeCommand.Create(console, examples),
            SpoolCommand.Create(console, examples),
        };
        examples.Add(
            root,
            "aiographite send servers.web1.cpu 42.5",
            "printf 'app.requests 12\\napp.errors 0\\n' | aiographite pipe",
            "aiographite encode 'velo@zillow.com'",
            "aiographite spool status /var/spool/aiographite",
            string.Empty,
            "Run 'aiographite COMMAND --help' for the options of a command.",
            $"carbon's host defaults to {ConnectionOptions.DefaultHost}, or to ${ConnectionOptions.HostVariable} when it is set.",
            "Exit codes: 0 done; 1 (pipe) some lines were invalid; 2 usage error, undecodable text, or carbon unreachable; 3 (--spool, spool status|verify|drain) the spool held damaged records that could not be sent.");
        examples.Install(root, console.HelpWidth);
        return root;
    }

    /// <summary>Parses <paramref name="args"/> and runs the command; never throws.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="console">Standard streams, environment and clock.</param>
    /// <param name="cancellationToken">Cancels the command (as Ctrl+C does).</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken = default)
    {
        ParseResult result;
        try
        {
            result = Build(console).Parse(args);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await console.Error.WriteLineAsync($"{Name}: {ErrorText.Of(ex)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        if (result.Action is ParseErrorAction)
        {
            await WriteParseErrorsAsync(result, console).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = console.HandleTermination ? TerminationGrace : null,
        };
        try
        {
            return await result.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await console.Error.WriteLineAsync($"{CommandPath(result)}: unexpected error: {ErrorText.Of(ex)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    /// <summary>The command's name as typed: <c>aiographite send</c>, <c>aiographite spool status</c>.</summary>
    /// <param name="result">The parse result.</param>
    /// <returns>The name.</returns>
    public static string CommandPath(ParseResult result)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result.CommandResult; r is System.CommandLine.Parsing.CommandResult { Command: not RootCommand } c; r = r.Parent)
        {
            names.Insert(0, c.Command.Name);
        }

        return names.Count == 0 ? Name : $"{Name} {string.Join(' ', names)}";
    }

    private static async Task WriteParseErrorsAsync(ParseResult result, CliConsole console)
    {
        string path = CommandPath(result);
        foreach (System.CommandLine.Parsing.ParseError error in result.Errors)
        {
            await console.Error.WriteLineAsync($"{path}: {ErrorText.Collapse(error.Message)}").ConfigureAwait(false);
        }

        await console.Error.WriteLineAsync($"Run '{path} --help' for usage.").ConfigureAwait(false);
    }
}
