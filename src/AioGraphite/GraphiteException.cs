using System.Net.Sockets;

namespace AioGraphite;

/// <summary>A Graphite server could not be reached or the client could not deliver as asked.</summary>
public class GraphiteException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public GraphiteException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public GraphiteException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a failed connection to <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <param name="host">The server's host name or address.</param>
    /// <param name="port">The server's port.</param>
    /// <param name="socketError">The socket error, when one caused the failure.</param>
    /// <param name="message">What went wrong, naming host, port and the error.</param>
    /// <param name="innerException">The cause.</param>
    public GraphiteException(string host, int port, SocketError? socketError, string message, Exception? innerException)
        : base(message, innerException)
    {
        Host = host;
        Port = port;
        SocketError = socketError;
    }

    /// <summary>Creates an empty exception.</summary>
    public GraphiteException()
    {
    }

    /// <summary>The server's host, when the failure concerns one.</summary>
    public string? Host { get; }

    /// <summary>The server's port, when the failure concerns one.</summary>
    public int? Port { get; }

    /// <summary>The socket error, when one caused the failure (<see cref="System.Net.Sockets.SocketError.TimedOut"/> for a connect timeout).</summary>
    public SocketError? SocketError { get; }
}
