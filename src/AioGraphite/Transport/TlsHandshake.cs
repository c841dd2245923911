using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AioGraphite.Transport;

/// <summary>
/// Makes a <see cref="TlsConnection"/> out of a connected socket: reads the CA bundle and client certificate files
/// (again for every connection: rotation), runs the handshake (TLS 1.2 or 1.3) within what is left of the connect
/// timeout, verifies the server (chain against the system's store or the CA bundle, name, pins), and for TLS 1.3 waits
/// for the server's verdict on a client certificate it asked for. Every failure is a <see cref="GraphiteException"/>
/// naming host, port and the reason; file contents never appear in messages.
/// </summary>
internal sealed class TlsHandshake
{
    private const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Shortest wait for a TLS 1.3 server's verdict on the client certificate.</summary>
    private static readonly TimeSpan MinAnswerWindow = TimeSpan.FromMilliseconds(100);

    private readonly GraphiteTlsOptions _options;
    private readonly TlsPins? _pins;
    private readonly string _host;
    private readonly int _port;
    private readonly string _description;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeProvider _time;

    public TlsHandshake(GraphiteTlsOptions options, string host, int port, string description, TimeSpan connectTimeout, TimeProvider time)
    {
        _options = options;
        _pins = TlsPins.From(options.PinnedSha256);
        _host = host;
        _port = port;
        _description = description;
        _connectTimeout = connectTimeout;
        _time = time;
    }

    /// <summary>The name sent in SNI and checked against the certificate.</summary>
    public string TargetHost => _options.TargetHost ?? _host;

    /// <summary>
    /// Runs the handshake on <paramref name="socket"/> (connected, not yet used). <paramref name="deadline"/> is the connect
    /// timeout's token, <paramref name="cancellationToken"/> the caller's. On failure the caller disposes the socket (it may be already).
    /// </summary>
    public async ValueTask<TlsConnection> ConnectAsync(Socket socket, CancellationToken deadline, CancellationToken cancellationToken)
    {
        TcpDeliveryEstimator? estimator = TcpDeliveryEstimator.TryStart(socket);
        Credentials credentials = LoadCredentials();
        var wire = new CountingNetworkStream(socket);
        var ssl = new SslStream(wire, leaveInnerStreamOpen: true);
        var verdict = new Verdict();
        bool success = false;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(deadline, cancellationToken);
            long started = _time.GetTimestamp();
            try
            {
                await ssl.AuthenticateAsClientAsync(ClientOptions(credentials, verdict), timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is CryptographicException or InvalidOperationException or NotSupportedException or ArgumentException or PlatformNotSupportedException)
            {
                // Unusable credentials or an unsupported platform: still a failure to connect, with the reason.
                throw Failure($"the TLS handshake could not be made: {Innermost(ex)}", ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw Failure($"no TLS answer within the connect timeout of {Seconds(_connectTimeout)} (is this a TLS port? carbon's own ports speak plaintext)", ex);
            }
            catch (AuthenticationException ex)
            {
                throw Failure(verdict.Reason ?? DescribeHandshakeError(ex, credentials.HasClientCertificate, verdict.ClientCertificateRequested), ex);
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                throw Failure(DescribeTransportError(ex), ex);
            }

            TimeSpan handshake = _time.GetElapsedTime(started);
            Task answered = wire.ArmAnswerSignal();
            var connection = new TlsConnection(socket, wire, ssl, estimator, credentials.Owned, _time) { HandshakeTime = handshake };
            try
            {
                if (ssl.SslProtocol == SslProtocols.Tls13 && (verdict.ClientCertificateRequested || ssl.IsMutuallyAuthenticated))
                {
                    // TLS 1.3: the server judges the client certificate (or its absence) only after our last handshake message.
                    TimeSpan window = handshake * 2 > MinAnswerWindow ? handshake * 2 : MinAnswerWindow;
                    Exception? refused;
                    try
                    {
                        refused = await connection.AwaitServerAnswerAsync(answered, window, timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw Failure($"no answer to the client certificate within the connect timeout of {Seconds(_connectTimeout)}", ex);
                    }

                    if (refused is not null)
                    {
                        throw Failure(DescribeClientRefusal(refused, credentials.HasClientCertificate), refused);
                    }
                }
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            success = true;
            return connection;
        }
        finally
        {
            if (!success)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                await wire.DisposeAsync().ConfigureAwait(false);
                credentials.Owned?.Dispose();
            }
        }
    }

    private SslClientAuthenticationOptions ClientOptions(Credentials credentials, Verdict verdict)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = TargetHost,
            EnabledSslProtocols = Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (sender, certificate, chain, errors) => Validate(sender, certificate, chain, errors, verdict),
        };
        if (credentials.TrustAnchors is { } anchors)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(anchors);
            policy.ExtraStore.AddRange(credentials.Intermediates!);
            options.CertificateChainPolicy = policy;
        }

        if (credentials.ClientCertificate is not null)
        {
            options.ClientCertificateContext = SslStreamCertificateContext.Create(credentials.ClientCertificate, credentials.ClientChain, offline: true);
        }
        else
        {
            // Without a certificate: only to learn that the server asked for one (the selection is asked again, with the
            // server's certificate, when it does).
            options.LocalCertificateSelectionCallback = (sender, targetHost, local, remote, issuers) =>
            {
                if (remote is not null)
                {
                    verdict.ClientCertificateRequested = true;
                }

                return null!;
            };
        }

        return options;
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, Verdict verdict)
    {
        if (_options.InsecureSkipVerify)
        {
            return true;
        }

        if (certificate is null)
        {
            verdict.Reason = "the server sent no certificate";
            return false;
        }

        if (_options.RemoteCertificateValidationCallback is { } custom)
        {
            if (!custom(sender, certificate, chain, errors))
            {
                verdict.Reason = $"the server's certificate ({Subject(certificate)}) was rejected by Tls.RemoteCertificateValidationCallback (built-in checks: {errors})";
                return false;
            }
        }
        else if (errors != SslPolicyErrors.None)
        {
            verdict.Reason = DescribeCertificateErrors(certificate, chain, errors);
            return false;
        }

        if (_pins is not null && !_pins.Matches(certificate, out string publicKeyPin))
        {
            verdict.Reason = $"the server's certificate ({Subject(certificate)}) matches none of Tls.PinnedSha256 (its public key is {publicKeyPin})";
            return false;
        }

        return true;
    }

    private string DescribeCertificateErrors(X509Certificate certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        using X509Certificate2 cert = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var reasons = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            X509ChainStatusFlags flags = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status) ?? X509ChainStatusFlags.NoError;
            if ((flags & (X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.NotTimeNested)) != X509ChainStatusFlags.NoError)
            {
                bool expired = cert.NotAfter < _time.GetUtcNow().UtcDateTime;
                reasons.Add(expired
                    ? $"the server's certificate ({Subject(certificate)}) expired on {cert.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC"
                    : $"the server's certificate ({Subject(certificate)}) or a CA above it is not valid now (valid from {cert.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss} to {cert.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC)");
            }

            if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != X509ChainStatusFlags.NoError)
            {
                string trust = _options.CaBundlePath is null ? "the system's trusted CAs" : $"the CA bundle {_options.CaBundlePath}";
                reasons.Add($"the server's certificate ({Subject(certificate)}, issued by '{cert.Issuer}') is not trusted: it does not chain to {trust}");
            }

            X509ChainStatusFlags other = flags & ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.NotTimeNested | X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain);
            if (other != X509ChainStatusFlags.NoError || reasons.Count == 0)
            {
                reasons.Add($"the server's certificate chain is invalid ({(other == X509ChainStatusFlags.NoError ? "chain errors" : other.ToString())})");
            }
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            string names = CertificateNames(cert);
            reasons.Add($"the server's certificate is not valid for the name '{TargetHost}' (it names {names}); connect by one of those names or set Tls.TargetHost");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            reasons.Add("the server sent no certificate");
        }

        return string.Join("; ", reasons);
    }

    private static string CertificateNames(X509Certificate2 cert)
    {
        var names = new List<string>();
        foreach (X509Extension extension in cert.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames().Select(n => $"DNS:{n}"));
                names.AddRange(san.EnumerateIPAddresses().Select(a => $"IP:{a}"));
            }
        }

        if (names.Count == 0)
        {
            names.Add($"only its subject {cert.Subject}");
        }

        return string.Join(", ", names);
    }

    private static string Subject(X509Certificate certificate) => certificate.Subject.Length > 0 ? certificate.Subject : "no subject";

    /// <summary>What the TLS layer reported, in words: alerts from the server, a non-TLS answer.</summary>
    private static string DescribeHandshakeError(AuthenticationException ex, bool hasClientCertificate, bool clientCertificateRequested)
    {
        string detail = Innermost(ex);
        string lower = detail.ToLowerInvariant();
        if (lower.Contains("certificate required", StringComparison.Ordinal) || (clientCertificateRequested && !hasClientCertificate && lower.Contains("alert", StringComparison.Ordinal)))
        {
            return ClientCertificateRequired(hasClientCertificate, detail);
        }

        if (lower.Contains("unknown ca", StringComparison.Ordinal) || lower.Contains("bad certificate", StringComparison.Ordinal)
            || lower.Contains("certificate unknown", StringComparison.Ordinal) || lower.Contains("unsupported certificate", StringComparison.Ordinal)
            || lower.Contains("certificate expired", StringComparison.Ordinal) || lower.Contains("access denied", StringComparison.Ordinal))
        {
            return hasClientCertificate
                ? $"the server rejected the client certificate ({detail})"
                : $"the server refused the client; it probably requires a client certificate: set Tls.ClientCertificatePath ({detail})";
        }

        if (lower.Contains("handshake failure", StringComparison.Ordinal))
        {
            return hasClientCertificate
                ? $"the server refused the handshake: no common TLS version or cipher, or it rejected the client certificate ({detail})"
                : $"the server refused the handshake: no common TLS version or cipher, or it requires a client certificate (set Tls.ClientCertificatePath) ({detail})";
        }

        if (lower.Contains("wrong version number", StringComparison.Ordinal) || lower.Contains("packet length too long", StringComparison.Ordinal)
            || lower.Contains("record layer failure", StringComparison.Ordinal) || lower.Contains("unknown protocol", StringComparison.Ordinal)
            || lower.Contains("http request", StringComparison.Ordinal))
        {
            return $"the server does not speak TLS on this port: its answer is not a TLS record (carbon's own ports speak plaintext; connect to the TLS terminator's port) ({detail})";
        }

        if (lower.Contains("protocol version", StringComparison.Ordinal) || lower.Contains("unsupported protocol", StringComparison.Ordinal))
        {
            return $"the server offers no TLS version the client accepts (TLS 1.2 or 1.3) ({detail})";
        }

        return $"the TLS handshake failed: {detail}";
    }

    private static string DescribeTransportError(Exception ex) =>
        ex is SocketException { SocketErrorCode: SocketError.ConnectionReset } || ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset }
            ? "the server reset the connection during the TLS handshake without a TLS answer: it probably does not speak TLS on this port (carbon's own ports speak plaintext; connect to the TLS terminator's port), or it refused the client"
            : $"the server closed the connection during the TLS handshake without a TLS answer: it probably does not speak TLS on this port (carbon's own ports speak plaintext; connect to the TLS terminator's port), or it refused the client ({Innermost(ex)})";

    private static string DescribeClientRefusal(Exception refused, bool hasClientCertificate)
    {
        string detail = Innermost(refused);
        if (detail.Contains("certificate required", StringComparison.OrdinalIgnoreCase))
        {
            return ClientCertificateRequired(hasClientCertificate, detail);
        }

        return hasClientCertificate
            ? $"the server rejected the client certificate after the handshake ({detail})"
            : $"the server closed the connection after asking for a client certificate; it probably requires one: set Tls.ClientCertificatePath ({detail})";
    }

    private static string ClientCertificateRequired(bool hasClientCertificate, string detail) => hasClientCertificate
        ? $"the server requires a client certificate and did not take the one given ({detail})"
        : $"the server requires a client certificate and none is configured: set Tls.ClientCertificatePath and Tls.ClientKeyPath ({detail})";

    private static string Innermost(Exception ex)
    {
        Exception inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner.Message.ReplaceLineEndings(" ").Trim();
    }

    private static string Seconds(TimeSpan time) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.###} s");

    private GraphiteException Failure(string reason, Exception? inner) =>
        new(_host, _port, null, $"TLS connection to Graphite at {_description} failed: {reason}.", inner);

    /// <summary>Reads the files named in the options (again for every connection). Their contents never reach a message.</summary>
    private Credentials LoadCredentials()
    {
        var owned = new DisposableList();
        try
        {
            var credentials = new Credentials { Owned = owned };
            if (_options.CaBundlePath is string caPath)
            {
                X509Certificate2Collection bundle = ReadPem("the CA bundle (Tls.CaBundlePath)", caPath, () =>
                {
                    var all = new X509Certificate2Collection();
                    all.ImportFromPemFile(caPath);
                    return all;
                });
                owned.AddRange(bundle);
                if (bundle.Count == 0)
                {
                    throw Failure($"the CA bundle {caPath} (Tls.CaBundlePath) holds no PEM certificate", null);
                }

                credentials.TrustAnchors = [.. bundle.Where(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData))];
                credentials.Intermediates = [.. bundle.Where(c => !c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData))];
                if (credentials.TrustAnchors.Count == 0)
                {
                    throw Failure($"the CA bundle {caPath} (Tls.CaBundlePath) holds no root (self-signed) CA certificate to trust", null);
                }
            }

            if (_options.ClientCertificatePath is string certPath)
            {
                string keyPath = _options.ClientKeyPath ?? certPath;
                X509Certificate2 leaf = ReadPem("the client certificate (Tls.ClientCertificatePath / Tls.ClientKeyPath)", certPath, () => X509Certificate2.CreateFromPemFile(certPath, keyPath));
                owned.Add(leaf);
                if (OperatingSystem.IsWindows())
                {
                    // SChannel cannot use an ephemeral key: give it a PKCS#12 round trip.
                    leaf = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
                    owned.Add(leaf);
                }

                X509Certificate2Collection chain = ReadPem("the client certificate (Tls.ClientCertificatePath)", certPath, () =>
                {
                    var all = new X509Certificate2Collection();
                    all.ImportFromPemFile(certPath);
                    return all;
                });
                owned.AddRange(chain);
                credentials.ClientCertificate = leaf;
                credentials.ClientChain = [.. chain.Where(c => !c.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))];
            }
            else if (_options.ClientCertificate is { } given)
            {
                credentials.ClientCertificate = given;
            }

            return credentials;
        }
        catch
        {
            owned.Dispose();
            throw;
        }
    }

    private T ReadPem<T>(string what, string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failure($"cannot read {what} {path}: {ex.Message}", ex);
        }
        catch (CryptographicException ex)
        {
            // These messages describe the problem ("malformed", "does not match the certificate"), never the bytes.
            throw Failure($"{what} {path} is not usable: {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            throw Failure($"{what} {path} is not usable: {ex.Message}", ex);
        }
    }

    /// <summary>What the validation callback and the certificate selection learned during one handshake.</summary>
    private sealed class Verdict
    {
        /// <summary>Why the server's certificate was refused, when it was.</summary>
        public string? Reason { get; set; }

        /// <summary>The server asked for a client certificate.</summary>
        public bool ClientCertificateRequested { get; set; }
    }

    /// <summary>The certificates loaded for one connection.</summary>
    private sealed class Credentials
    {
        public X509Certificate2Collection? TrustAnchors { get; set; }

        public X509Certificate2Collection? Intermediates { get; set; }

        public X509Certificate2? ClientCertificate { get; set; }

        public X509Certificate2Collection? ClientChain { get; set; }

        public bool HasClientCertificate => ClientCertificate is not null;

        public DisposableList? Owned { get; init; }
    }

    /// <summary>Certificates to dispose together.</summary>
    private sealed class DisposableList : List<X509Certificate2>, IDisposable
    {
        public void Dispose()
        {
            foreach (X509Certificate2 c in this)
            {
                c.Dispose();
            }

            Clear();
        }
    }
}
