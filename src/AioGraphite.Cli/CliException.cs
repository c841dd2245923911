namespace AioGraphite.Cli;

/// <summary>
/// A failure a command reports to the user as one line on standard error, ending the command with
/// <see cref="ExitCode"/>. Never shown with a stack trace.
/// </summary>
internal sealed class CliException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The one-line message, without the <c>aiographite command:</c> prefix.</param>
    /// <param name="exitCode">The exit code; <see cref="ExitCodes.Failure"/> by default.</param>
    public CliException(string message, int exitCode = ExitCodes.Failure)
        : base(message)
    {
        ExitCode = exitCode;
    }

    /// <summary>The process exit code.</summary>
    public int ExitCode { get; }
}
