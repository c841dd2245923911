using System.CommandLine;
using AioGraphite.Cli.Output;

namespace AioGraphite.Cli.Commands;

/// <summary>Runs a command's body and turns its <see cref="CliException"/> into one line on standard error and an exit code.</summary>
internal static class CommandRunner
{
    /// <summary>Sets <paramref name="body"/> as the action of <paramref name="command"/>.</summary>
    /// <param name="command">The command.</param>
    /// <param name="console">Where errors go.</param>
    /// <param name="body">The command's work; returns the exit code.</param>
    public static void SetAction(Command command, CliConsole console, Func<ParseResult, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                return await body(result, cancellationToken).ConfigureAwait(false);
            }
            catch (CliException ex)
            {
                await console.Error.WriteLineAsync($"{CliApplication.CommandPath(result)}: {ErrorText.Of(ex)}").ConfigureAwait(false);
                return ex.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await console.Error.WriteLineAsync($"{CliApplication.CommandPath(result)}: interrupted").ConfigureAwait(false);
                return ExitCodes.Interrupted;
            }
        });
    }
}
