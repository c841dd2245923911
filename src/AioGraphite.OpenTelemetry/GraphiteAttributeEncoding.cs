namespace AioGraphite.OpenTelemetry;

/// <summary>How an attribute value becomes one path segment in <see cref="GraphiteNamingStyle.Path"/> style.</summary>
public enum GraphiteAttributeEncoding
{
    /// <summary>
    /// Readable and lossy (the default): every character other than <c>A-Z a-z 0-9 _ -</c> becomes <c>_</c>,
    /// so <c>/api/orders/{id}</c> gives <c>_api_orders__id_</c> and <c>1.1</c> gives <c>1_1</c>.
    /// </summary>
    Sanitize = 0,

    /// <summary>
    /// Reversible: <see cref="GraphiteEncoder.Encode"/> (aiographite's punycode + URL quoting, the same series
    /// Python's aiographite writes), with <c>/</c> also quoted as <c>%2F</c> so that a value never makes a
    /// sub-directory; <see cref="GraphiteEncoder.Decode"/> gives the value back. <c>GET</c> gives <c>GET-</c>.
    /// </summary>
    Encode = 1,
}
