using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace AioGraphite.Cli.Commands;

/// <summary>The options every sending command shares: <c>--host</c>, <c>--port</c>, <c>--protocol</c>, <c>--timeout</c>.</summary>
internal sealed class ConnectionOptions
{
    /// <summary>The host when neither <c>--host</c> nor <c>GRAPHITE_HOST</c> is given.</summary>
    public const string DefaultHost = "127.0.0.1";

    /// <summary>The environment variable that overrides <see cref="DefaultHost"/>.</summary>
    public const string HostVariable = "GRAPHITE_HOST";

    /// <summary>carbon's line protocol over TCP.</summary>
    public const string Plaintext = "plaintext";

    /// <summary>carbon's pickle protocol over TCP.</summary>
    public const string Pickle = "pickle";

    /// <summary>carbon's line protocol over UDP.</summary>
    public const string Udp = "udp";

    private const double MaxTimeoutSeconds = 86_400;

    /// <summary>Creates the options.</summary>
    /// <param name="console">Where <c>GRAPHITE_HOST</c> is read.</param>
    /// <param name="defaultTimeoutSeconds">The default of <c>--timeout</c>.</param>
    /// <param name="timeoutDescription">What <c>--timeout</c> means for the command.</param>
    public ConnectionOptions(CliConsole console, double defaultTimeoutSeconds, string timeoutDescription)
    {
        Host = new Option<string>("--host")
        {
            Description = $"carbon's host name or IP address; the {HostVariable} environment variable overrides the default",
            HelpName = "HOST",
            DefaultValueFactory = _ => console.GetEnvironmentVariable(HostVariable) is { Length: > 0 } host ? host.Trim() : DefaultHost,
        };
        Host.Validators.Add(static result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("--host must not be empty.");
            }
        });

        Port = new Option<int?>("--port", "-p")
        {
            Description = "carbon's port [default: 2003 for plaintext and udp, 2004 for pickle]",
            HelpName = "PORT",
        };
        Port.CustomParser = static result =>
        {
            string text = LastToken(result);
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535)
            {
                return port;
            }

            result.AddError($"--port must be a number between 1 and 65535, not '{text}'.");
            return null;
        };

        Protocol = new Option<string>("--protocol")
        {
            Description = "plaintext (TCP line protocol), pickle (TCP) or udp (line protocol over UDP, fire and forget)",
            HelpName = "plaintext|pickle|udp",
            DefaultValueFactory = _ => Plaintext,
        };
        Protocol.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, Plaintext, Pickle, Udp);

        Timeout = new Option<double>("--timeout")
        {
            Description = timeoutDescription,
            HelpName = "SECONDS",
            DefaultValueFactory = _ => defaultTimeoutSeconds,
        };
        Timeout.CustomParser = static result =>
        {
            string text = LastToken(result);
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0 && seconds <= MaxTimeoutSeconds)
            {
                return seconds;
            }

            result.AddError($"--timeout must be a number of seconds above 0 and at most {MaxTimeoutSeconds}, not '{text}'.");
            return 0;
        };
    }

    /// <summary><c>--host</c>.</summary>
    public Option<string> Host { get; }

    /// <summary><c>--port</c>.</summary>
    public Option<int?> Port { get; }

    /// <summary><c>--protocol</c>.</summary>
    public Option<string> Protocol { get; }

    /// <summary><c>--timeout</c>.</summary>
    public Option<double> Timeout { get; }

    /// <summary>Formats seconds for messages: <c>5 s</c>, <c>0.5 s</c>.</summary>
    /// <param name="time">A duration.</param>
    /// <returns>The text.</returns>
    public static string Seconds(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.###} s");

    private static string LastToken(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    /// <param name="command">The command.</param>
    public void AddTo(Command command)
    {
        command.Options.Add(Host);
        command.Options.Add(Port);
        command.Options.Add(Protocol);
        command.Options.Add(Timeout);
    }

    /// <summary>Reads the options from a parse result, applying the defaults.</summary>
    /// <param name="result">The parse result.</param>
    /// <returns>The endpoint.</returns>
    public Endpoint Resolve(ParseResult result)
    {
        var endpoint = new Endpoint(result.GetValue(Host)!.Trim(), Port: 0, result.GetValue(Protocol)!.ToLowerInvariant(), TimeSpan.FromSeconds(result.GetValue(Timeout)));
        return endpoint with { Port = result.GetValue(Port) ?? GraphiteDefaultPorts.For(endpoint.Protocol, endpoint.Transport) };
    }
}
