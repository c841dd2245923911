namespace AioGraphite.Cli.Output;

/// <summary>Turns exception messages into the single lines the tool prints.</summary>
internal static class ErrorText
{
    /// <summary>Joins the lines of <paramref name="message"/> with spaces.</summary>
    /// <param name="message">A message.</param>
    /// <returns>The message on one line.</returns>
    public static string OneLine(string message) =>
        message.ReplaceLineEndings(" ").Trim();

    /// <summary>Puts <paramref name="message"/> on one line and collapses runs of whitespace (tabs included) into one space.</summary>
    /// <param name="message">A message.</param>
    /// <returns>The message on one line.</returns>
    public static string Collapse(string message) =>
        string.Join(' ', message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// The message of <paramref name="exception"/> on one line, without the <c>(Parameter 'x')</c> suffix that
    /// <see cref="ArgumentException"/> adds (a parameter name means nothing to a user of the tool).
    /// </summary>
    /// <param name="exception">The exception.</param>
    /// <returns>Its message on one line.</returns>
    public static string Of(Exception exception)
    {
        string message = exception.Message;
        if (exception is ArgumentException { ParamName: { } name })
        {
            string suffix = $" (Parameter '{name}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }
        }

        return OneLine(message);
    }
}
