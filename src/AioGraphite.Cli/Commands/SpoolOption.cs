using System.CommandLine;

namespace AioGraphite.Cli.Commands;

/// <summary><c>--spool DIR</c> of <c>pipe</c> and <c>send</c>: the client's disk spool (<see cref="GraphiteClientOptions.SpoolDirectory"/>).</summary>
internal static class SpoolOption
{
    /// <summary>Creates the option.</summary>
    /// <param name="what">What the spool keeps for this command, for its help.</param>
    /// <returns>The option.</returns>
    public static Option<string?> Create(string what)
    {
        var option = new Option<string?>("--spool")
        {
            Description = $"Keep {what} in a disk spool in DIR (created if needed, owner-only) until carbon has consumed it: "
                + "what a run could not deliver (carbon down, the tool killed) stays there and the next run with the same DIR sends it first. "
                + "Points are synced to disk within 100 ms of being read. One process per DIR.",
            HelpName = "DIR",
        };
        option.Validators.Add(static result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string?>()))
            {
                result.AddError("--spool must name a directory.");
            }
        });
        return option;
    }

    /// <summary>The message for a spool the client could not open (held by another process, not creatable, unreadable).</summary>
    /// <param name="ex">The client's exception (it names the directory and the reason, or the holder).</param>
    /// <returns>The exception to end the command with (exit code 2).</returns>
    public static CliException Unusable(GraphiteException ex) => new(Output.ErrorText.Of(ex));

    /// <summary>
    /// "the spool had N damaged records (B bytes, about P points) that could not be sent, kept in FILE." — or
    /// <see langword="null"/> when the client met no damage when it opened the spool.
    /// </summary>
    /// <param name="spool">The client's spool statistics.</param>
    /// <param name="directory">The spool directory (<c>--spool</c>), searched for the copies of damaged files.</param>
    /// <returns>The sentence, or <see langword="null"/>.</returns>
    public static string? Damage(GraphiteSpoolStatistics spool, string? directory)
    {
        if (spool.DamagedRecords == 0)
        {
            return null;
        }

        string[] kept = [];
        if (directory is not null)
        {
            try
            {
                kept = Directory.GetFiles(directory, "*.spool.corrupt", SearchOption.AllDirectories);
                Array.Sort(kept, StringComparer.Ordinal);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The sentence says where to look instead.
            }
        }

        string where = kept.Length > 0
            ? $"kept in {string.Join(", ", kept)}"
            : $"no copy of the damaged file could be kept (see the log); the spool is {directory}";
        return $"the spool had {Output.Rate.Count(spool.DamagedRecords, "damaged record")} ({Output.Rate.Count(spool.DamagedBytes, "byte")}, about {Output.Rate.Count(spool.DamagedPoints, "point")}) that could not be sent, {where}.";
    }
}
