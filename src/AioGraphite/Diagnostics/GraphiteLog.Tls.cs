using System.Net.Security;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Diagnostics;

/// <summary>The TLS transport's log messages (EventIds from 30 up, unique across <see cref="GraphiteLog"/>).</summary>
internal static partial class GraphiteLog
{
    [LoggerMessage(EventId = 30, EventName = "TlsEstablished", Level = LogLevel.Debug, Message = "TLS with Graphite at {Destination}: {Protocol}, {Cipher}, server certificate {Subject}, handshake {HandshakeMs:0.0} ms")]
    public static partial void TlsEstablished(ILogger logger, string destination, SslProtocols protocol, TlsCipherSuite cipher, string subject, double handshakeMs);

    [LoggerMessage(EventId = 31, EventName = "TlsVerificationDisabled", Level = LogLevel.Warning, Message = "TLS to Graphite at {Destination} does NOT verify the server's certificate (Tls.InsecureSkipVerify): anyone on the path can impersonate the server and read or change the metrics. For testing only.")]
    public static partial void TlsVerificationDisabled(ILogger logger, string destination);
}
