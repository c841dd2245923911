using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AioGraphite.Query;

/// <summary>
/// A small client for graphite-web's HTTP API: <c>/render</c> as JSON datapoints or as a PNG graph, and
/// <c>/metrics/find</c>. Thread-safe; it does not own the <see cref="HttpClient"/>.
/// </summary>
/// <remarks>
/// <para>Times are graphite-web's: relative (<c>-10min</c>, <c>-1h</c>, <c>-2d</c>), <c>now</c>, absolute
/// (<c>HH:MM_YYYYMMDD</c>), or Unix seconds (the <see cref="DateTimeOffset"/> overloads send those). The range is
/// <c>(from, until]</c>: whisper returns the intervals after <c>from</c>, so a point stamped exactly
/// <c>from</c> is not included, and <c>until</c> is clamped to the server's clock.</para>
/// <para>A series that carbon has just created is invisible until its .wsp file exists (up to about a second):
/// poll when reading back what was just sent.</para>
/// </remarks>
/// <example>
/// <code>
/// var http = new HttpClient { BaseAddress = new Uri("http://graphite.example.com/") };
/// var graphite = new GraphiteQueryClient(http);
/// IReadOnlyList&lt;GraphiteSeries&gt; series = await graphite.RenderAsync("servers.*.cpu", "-10min");
/// byte[] png = await graphite.RenderPngAsync("servers.*.cpu", "-1h", "now", 800, 400);
/// </code>
/// </example>
public sealed class GraphiteQueryClient
{
    private const int ExcerptChars = 500;
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly HttpClient _http;

    /// <summary>Creates the client.</summary>
    /// <param name="httpClient">
    /// The HTTP client; its <see cref="HttpClient.BaseAddress"/> is graphite-web's root, e.g.
    /// <c>http://127.0.0.1:8080/</c> (end it with <c>/</c> when graphite-web is under a path).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="httpClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="httpClient"/> has no <see cref="HttpClient.BaseAddress"/>.</exception>
    public GraphiteQueryClient(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is null)
        {
            throw new ArgumentException("HttpClient.BaseAddress must be set to graphite-web's root URL, e.g. http://127.0.0.1:8080/.", nameof(httpClient));
        }

        _http = httpClient;
    }

    /// <summary>
    /// Renders <paramref name="target"/> as data (<c>/render?format=json&amp;noNullPoints=true</c>).
    /// </summary>
    /// <param name="target">A metric path or a Graphite expression: <c>a.b.c</c>, <c>a.*.c</c>, <c>sumSeries(a.*)</c>, <c>name;tag=value</c>.</param>
    /// <param name="from">Start of the range (exclusive), in graphite-web's format. Default <c>-1h</c>.</param>
    /// <param name="until">End of the range, in graphite-web's format. Default <c>now</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>One entry per matching series (none when nothing matches); only points with a value.</returns>
    /// <exception cref="ArgumentException"><paramref name="target"/>, <paramref name="from"/> or <paramref name="until"/> is empty.</exception>
    /// <exception cref="GraphiteQueryException">graphite-web is unreachable, answered with an error or with something that is not render JSON.</exception>
    public async Task<IReadOnlyList<GraphiteSeries>> RenderAsync(string target, string from = "-1h", string until = "now", CancellationToken cancellationToken = default)
    {
        string uri = RenderUri(target, from, until, "format=json&noNullPoints=true");
        List<RenderSeriesDto> dtos = await GetJsonAsync(uri, QueryJsonContext.Default.ListRenderSeriesDto, cancellationToken).ConfigureAwait(false);
        var result = new List<GraphiteSeries>(dtos.Count);
        foreach (RenderSeriesDto dto in dtos)
        {
            var points = new List<SeriesPoint>(dto.Datapoints?.Count ?? 0);
            foreach (double?[] pair in dto.Datapoints ?? [])
            {
                if (pair is [double value, double ts])
                {
                    points.Add(new SeriesPoint((long)ts, value));
                }
            }

            IReadOnlyDictionary<string, string> tags = dto.Tags ?? new Dictionary<string, string>(StringComparer.Ordinal);
            result.Add(new GraphiteSeries(dto.Target ?? string.Empty, points, tags));
        }

        return result;
    }

    /// <summary>Renders <paramref name="target"/> as data between two instants (sent as Unix seconds).</summary>
    /// <param name="target">A metric path or a Graphite expression.</param>
    /// <param name="from">Start of the range (exclusive).</param>
    /// <param name="until">End of the range (inclusive).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>One entry per matching series; only points with a value.</returns>
    /// <exception cref="GraphiteQueryException">graphite-web is unreachable, answered with an error or with something that is not render JSON.</exception>
    public Task<IReadOnlyList<GraphiteSeries>> RenderAsync(string target, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        RenderAsync(target, UnixSeconds(from), UnixSeconds(until), cancellationToken);

    /// <summary>Finds metrics and branches matching <paramref name="query"/> (<c>/metrics/find</c>).</summary>
    /// <param name="query">A path with wildcards: <c>servers.*</c>, <c>servers.web{1,2}.cpu</c>, <c>*</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The matching nodes, in graphite-web's order.</returns>
    /// <exception cref="ArgumentException"><paramref name="query"/> is empty.</exception>
    /// <exception cref="GraphiteQueryException">graphite-web is unreachable, answered with an error or with something unexpected.</exception>
    public async Task<IReadOnlyList<GraphiteMetricNode>> FindMetricsAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        // format=json gives full paths; the default treejson echoes the query's wildcards in its ids.
        string uri = "metrics/find?format=json&query=" + Uri.EscapeDataString(query);
        List<FindNodeDto> dtos = await GetJsonAsync(uri, QueryJsonContext.Default.ListFindNodeDto, cancellationToken).ConfigureAwait(false);
        return dtos.Select(d =>
        {
            string path = d.Path ?? string.Empty;
            return new GraphiteMetricNode(path, path[(path.LastIndexOf('.') + 1)..], d.IsLeaf, !d.IsLeaf);
        }).ToList();
    }

    /// <summary>Renders <paramref name="target"/> as a PNG graph (<c>/render?format=png</c>, lines connected).</summary>
    /// <param name="target">A metric path or a Graphite expression.</param>
    /// <param name="from">Start of the range, in graphite-web's format. Default <c>-1h</c>.</param>
    /// <param name="until">End of the range, in graphite-web's format. Default <c>now</c>.</param>
    /// <param name="width">Width in pixels. Default 800.</param>
    /// <param name="height">Height in pixels. Default 600.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The PNG file's bytes.</returns>
    /// <exception cref="ArgumentException">An argument is empty or a size is not positive.</exception>
    /// <exception cref="GraphiteQueryException">graphite-web is unreachable, answered with an error or with something that is not a PNG.</exception>
    public async Task<byte[]> RenderPngAsync(string target, string from = "-1h", string until = "now", int width = 800, int height = 600, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        string uri = RenderUri(target, from, until, string.Create(CultureInfo.InvariantCulture, $"format=png&width={width}&height={height}&lineMode=connected"));
        using HttpResponseMessage response = await SendAsync(uri, cancellationToken).ConfigureAwait(false);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!body.AsSpan().StartsWith(PngSignature))
        {
            throw new GraphiteQueryException(
                $"graphite-web answered GET {uri} with {response.Content.Headers.ContentType?.MediaType ?? "no content type"} instead of a PNG: {Excerpt(body)}",
                response.StatusCode,
                Excerpt(body));
        }

        return body;
    }

    /// <summary>Renders <paramref name="target"/> as a PNG graph between two instants (sent as Unix seconds).</summary>
    /// <param name="target">A metric path or a Graphite expression.</param>
    /// <param name="from">Start of the range.</param>
    /// <param name="until">End of the range.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The PNG file's bytes.</returns>
    /// <exception cref="GraphiteQueryException">graphite-web is unreachable, answered with an error or with something that is not a PNG.</exception>
    public Task<byte[]> RenderPngAsync(string target, DateTimeOffset from, DateTimeOffset until, int width = 800, int height = 600, CancellationToken cancellationToken = default) =>
        RenderPngAsync(target, UnixSeconds(from), UnixSeconds(until), width, height, cancellationToken);

    private static string RenderUri(string target, string from, string until, string format)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(from);
        ArgumentException.ThrowIfNullOrWhiteSpace(until);
        return $"render?target={Uri.EscapeDataString(target)}&from={Uri.EscapeDataString(from)}&until={Uri.EscapeDataString(until)}&{format}";
    }

    private static string UnixSeconds(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private async Task<T> GetJsonAsync<T>(string uri, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendAsync(uri, cancellationToken).ConfigureAwait(false);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(body, typeInfo)
                ?? throw new GraphiteQueryException($"graphite-web answered GET {uri} with JSON null.", response.StatusCode, "null");
        }
        catch (JsonException ex)
        {
            throw new GraphiteQueryException(
                $"graphite-web answered GET {uri} with something that is not the expected JSON ({ex.Message}): {Excerpt(body)}",
                response.StatusCode,
                Excerpt(body),
                ex);
        }
    }

    /// <summary>Sends a GET; returns the response when it is a success, else throws with status and body excerpt.</summary>
    private async Task<HttpResponseMessage> SendAsync(string uri, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(uri, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new GraphiteQueryException($"Could not reach graphite-web at {_http.BaseAddress} for GET {uri}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GraphiteQueryException($"GET {uri} to graphite-web at {_http.BaseAddress} timed out after {_http.Timeout.TotalSeconds:0.#} s.", ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string excerpt = Excerpt(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            throw new GraphiteQueryException(
                $"graphite-web answered GET {uri} with {(int)response.StatusCode} {response.ReasonPhrase}: {excerpt}",
                response.StatusCode,
                excerpt);
        }
    }

    /// <summary>The first characters of a body as text, whitespace collapsed.</summary>
    internal static string Excerpt(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return "(empty body)";
        }

        string text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, ExcerptChars * 4)]);
        var sb = new StringBuilder(Math.Min(text.Length, ExcerptChars + 1));
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(c);
            if (sb.Length >= ExcerptChars)
            {
                sb.Append('…');
                break;
            }
        }

        return sb.ToString();
    }
}
