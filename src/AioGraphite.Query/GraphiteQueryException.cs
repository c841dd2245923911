using System.Net;

namespace AioGraphite.Query;

/// <summary>
/// graphite-web could not be reached, answered with an error status, or sent something that is not what was
/// asked for. The message gives the request, the HTTP status and the start of the response body.
/// </summary>
public class GraphiteQueryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GraphiteQueryException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public GraphiteQueryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public GraphiteQueryException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an HTTP answer.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    /// <param name="responseExcerpt">The start of the response body.</param>
    /// <param name="innerException">The cause, if any.</param>
    public GraphiteQueryException(string message, HttpStatusCode? statusCode, string? responseExcerpt, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ResponseExcerpt = responseExcerpt;
    }

    /// <summary>The HTTP status graphite-web answered with; <see langword="null"/> when there was no answer.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The start of the response body (at most 500 characters, whitespace collapsed); <see langword="null"/> when there was no answer.</summary>
    public string? ResponseExcerpt { get; }
}
