using System.Text;

namespace AioGraphite.Cli.Input;

/// <summary>
/// Reads lines the way carbon's line receiver cuts them: on <c>\n</c> only (a <c>\r</c> before it is whitespace to
/// the parser, a lone <c>\r</c> does not end a line), numbering them from 1. A last line without <c>\n</c> is read
/// too. Lines longer than <see cref="MaxLineChars"/> are cut short and flagged, so binary garbage cannot exhaust memory.
/// </summary>
internal sealed class CarbonLineReader
{
    /// <summary>The longest line kept whole: four times carbon's own limit of 16384 bytes.</summary>
    public const int MaxLineChars = 64 * 1024;

    /// <summary>Characters read at a time unless told (the tool's stdin and file readers use as many).</summary>
    public const int DefaultBufferChars = 64 * 1024;

    private readonly TextReader _reader;
    private readonly char[] _buffer;
    private readonly StringBuilder _partial = new();
    private int _start;
    private int _end;
    private bool _eof;
    private bool _overlong;

    /// <summary>Creates a reader over <paramref name="reader"/>.</summary>
    /// <param name="reader">The text to read.</param>
    /// <param name="bufferSize">Characters read at a time.</param>
    public CarbonLineReader(TextReader reader, int bufferSize = DefaultBufferChars)
    {
        _reader = reader;
        _buffer = new char[bufferSize];
    }

    /// <summary>The number of the line last returned (1 for the first).</summary>
    public long LineNumber { get; private set; }

    /// <summary>Whether the line last returned was longer than <see cref="MaxLineChars"/> and was cut short.</summary>
    public bool LastLineTooLong { get; private set; }

    /// <summary>Reads the next line, without its <c>\n</c>; <see langword="null"/> at the end of the input.</summary>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The line or <see langword="null"/>.</returns>
    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int newline = Array.IndexOf(_buffer, '\n', _start, _end - _start);
            if (newline >= 0)
            {
                string line = Take(newline);
                _start = newline + 1;
                return line;
            }

            if (_eof)
            {
                if (_start == _end && _partial.Length == 0 && !_overlong)
                {
                    return null;
                }

                string last = Take(_end);
                _start = _end;
                return last;
            }

            Keep(_end);
            _start = 0;
            // WaitAsync lets a read that ignores the token (a console stream) be abandoned when the command stops.
            _end = await _reader.ReadAsync(_buffer.AsMemory(), cancellationToken).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            _eof = _end == 0;
        }
    }

    private void Keep(int end)
    {
        int room = MaxLineChars - _partial.Length;
        int count = end - _start;
        if (count > room)
        {
            _overlong = true;
            count = Math.Max(room, 0);
        }

        _partial.Append(_buffer, _start, count);
    }

    private string Take(int end)
    {
        LineNumber++;
        string line;
        if (_partial.Length == 0 && !_overlong)
        {
            line = new string(_buffer, _start, end - _start);
            if (line.Length > MaxLineChars)
            {
                _overlong = true;
                line = line[..MaxLineChars];
            }
        }
        else
        {
            Keep(end);
            line = _partial.ToString();
            _partial.Clear();
        }

        LastLineTooLong = _overlong;
        _overlong = false;
        return line;
    }
}
