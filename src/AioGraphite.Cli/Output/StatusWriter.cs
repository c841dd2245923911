using System.Globalization;

namespace AioGraphite.Cli.Output;

/// <summary>
/// Writes to standard error for one command: one-line messages, and when standard error is a terminal, a live status
/// line that is redrawn in place (<c>\r</c>) and cleared before any message, so that the two never mix.
/// Thread-safe.
/// </summary>
internal sealed class StatusWriter
{
    private readonly TextWriter _error;
    private readonly Lock _sync = new();
    private int _statusLength;

    /// <summary>Creates a writer over <paramref name="error"/>.</summary>
    /// <param name="error">Standard error.</param>
    /// <param name="live">Whether the status line is shown (standard error is a terminal).</param>
    public StatusWriter(TextWriter error, bool live)
    {
        _error = error;
        IsLive = live;
    }

    /// <summary>Whether the status line is shown.</summary>
    public bool IsLive { get; }

    /// <summary>Writes one message on a line of its own (newlines in it become spaces).</summary>
    /// <param name="message">The message.</param>
    public void WriteLine(string message)
    {
        lock (_sync)
        {
            ClearStatusLocked();
            _error.WriteLine(ErrorText.OneLine(message));
            _error.Flush();
        }
    }

    /// <summary>Redraws the status line (ignored when <see cref="IsLive"/> is <see langword="false"/>).</summary>
    /// <param name="status">The new status.</param>
    public void SetStatus(string status)
    {
        if (!IsLive)
        {
            return;
        }

        lock (_sync)
        {
            int pad = Math.Max(_statusLength - status.Length, 0);
            _error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{status}{new string(' ', pad)}"));
            _error.Flush();
            _statusLength = status.Length;
        }
    }

    /// <summary>Removes the status line.</summary>
    public void ClearStatus()
    {
        lock (_sync)
        {
            ClearStatusLocked();
        }
    }

    private void ClearStatusLocked()
    {
        if (_statusLength > 0)
        {
            _error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{new string(' ', _statusLength)}\r"));
            _statusLength = 0;
        }
    }
}
