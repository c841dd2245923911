using System.Threading.Channels;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>Standard input that a test writes to while the command runs (as a slow producer behind a pipe).</summary>
internal sealed class ChannelTextReader : TextReader
{
    private readonly Channel<string> _chunks = Channel.CreateUnbounded<string>();
    private string _current = string.Empty;
    private int _position;

    public void Write(string text) => _chunks.Writer.TryWrite(text);

    public void Complete() => _chunks.Writer.TryComplete();

    public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
    {
        while (_position == _current.Length)
        {
            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken))
            {
                return 0;
            }

            if (_chunks.Reader.TryRead(out string? chunk))
            {
                _current = chunk;
                _position = 0;
            }
        }

        int count = Math.Min(buffer.Length, _current.Length - _position);
        _current.AsMemory(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override int Read() => throw new NotSupportedException("read with ReadAsync");
}
