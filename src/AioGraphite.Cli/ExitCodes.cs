namespace AioGraphite.Cli;

/// <summary>The exit codes of every <c>aiographite</c> command.</summary>
internal static class ExitCodes
{
    /// <summary>Everything was done: every point written to the socket, every text encoded or decoded.</summary>
    public const int Success = 0;

    /// <summary><c>pipe</c>: some input lines were invalid and skipped; every valid one was written.</summary>
    public const int InvalidLines = 1;

    /// <summary>A usage error (bad arguments, bad metric name or tag, unreadable input, undecodable text) or carbon could not be reached in time.</summary>
    public const int Failure = 2;

    /// <summary>
    /// <c>pipe</c>, <c>send</c> with <c>--spool</c>: everything else was delivered, but the spool held damaged records
    /// that could not be sent (the summary says how many, and where a copy of the damaged file is kept).
    /// </summary>
    public const int SpoolDamaged = 3;

    /// <summary>Interrupted by Ctrl+C or SIGTERM (128 + SIGINT).</summary>
    public const int Interrupted = 130;
}
