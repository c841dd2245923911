using System.Diagnostics;
using System.Text;

namespace AioGraphite.TestUtilities;

/// <summary>
/// A program started by a test and still running (a fault driver, the CLI): its standard input to write to,
/// its output collected as it comes, a way to wait for a line on standard error, and a kill on dispose.
/// </summary>
public sealed class RunningProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder error = new();
    private readonly Lock gate = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> errorWaiters = [];
    private readonly Task outputDone;
    private readonly Task errorDone;
    private readonly string description;

    private RunningProcess(Process process, string description)
    {
        this.process = process;
        this.description = description;
        outputDone = PumpAsync(process.StandardOutput, output, isError: false);
        errorDone = PumpAsync(process.StandardError, error, isError: true);
    }

    /// <summary>The process id.</summary>
    public int Id => process.Id;

    /// <summary>Whether it has exited.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>Its standard input (close it to signal end of input).</summary>
    public Stream StandardInput => process.StandardInput.BaseStream;

    /// <summary>Standard output so far.</summary>
    public string Output
    {
        get
        {
            lock (gate)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Standard error so far.</summary>
    public string Error
    {
        get
        {
            lock (gate)
            {
                return error.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="fileName"/> with redirected standard input, output and error.</summary>
    /// <param name="fileName">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="environment">Extra environment variables.</param>
    /// <returns>The running process; dispose it (kills it if it still runs).</returns>
    public static RunningProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>(StringComparer.Ordinal))
        {
            psi.Environment[key] = value;
        }

        var commandLine = $"{fileName} {string.Join(' ', psi.ArgumentList)}";
        var started = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {commandLine}");
        return new RunningProcess(started, commandLine);
    }

    /// <summary>Waits until a line of standard error satisfies <paramref name="match"/> (lines already read count too).</summary>
    /// <param name="match">The test for a line.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The line.</returns>
    /// <exception cref="TimeoutException">No such line in time, or the process ended first; the message has its output.</exception>
    public async Task<string> WaitForErrorLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(match);
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            var existing = error.ToString().Split('\n').FirstOrDefault(match);
            if (existing is not null)
            {
                return existing;
            }

            errorWaiters.Add((match, found));
        }

        var finished = await Task.WhenAny(found.Task, errorDone, Task.Delay(timeout)).ConfigureAwait(false);
        if (finished == found.Task)
        {
            return await found.Task.ConfigureAwait(false);
        }

        throw new TimeoutException(
            $"{description}: the expected line did not appear on standard error {(finished == errorDone ? "before it closed standard error" : $"within {timeout.TotalSeconds:0.#} s")}\n{this}");
    }

    /// <summary>Waits for the process to exit; kills it after <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long it may run.</param>
    /// <returns>Exit code and all output.</returns>
    /// <exception cref="TimeoutException">It did not exit in time (it is killed); the message has its output.</exception>
    public async Task<ProcessRunner.Result> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex)
        {
            Kill();
            throw new TimeoutException($"{description} did not exit within {timeout.TotalSeconds:0.#} s (killed)\n{this}", ex);
        }

        await Task.WhenAll(outputDone, errorDone).ConfigureAwait(false);
        return new ProcessRunner.Result(process.ExitCode, Encoding.UTF8.GetBytes(Output), Error);
    }

    /// <summary>SIGKILL (the process and its children, at whatever it is doing) and waits until it is gone and its output read.</summary>
    /// <returns>Completes when it is gone.</returns>
    public async Task KillAsync()
    {
        Kill();
        using var cts = new CancellationTokenSource(DaemonProcess.KillTimeout);
        await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        await Task.WhenAll(outputDone, errorDone).ConfigureAwait(false);
    }

    /// <summary>Kills it (and its children) if it still runs.</summary>
    /// <returns>Completes when it is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            using var cts = new CancellationTokenSource(DaemonProcess.KillTimeout);
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        process.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"--- {description} (pid {process.Id})\n--- stdout:\n{Tail(Output)}\n--- stderr:\n{Tail(Error)}";

    private static string Tail(string text) => text.Length <= 4000 ? text : "..." + text[^4000..];

    private void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private async Task PumpAsync(StreamReader reader, StringBuilder sink, bool isError)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (gate)
            {
                sink.Append(line).Append('\n');
                if (!isError)
                {
                    continue;
                }

                for (var i = errorWaiters.Count - 1; i >= 0; i--)
                {
                    if (errorWaiters[i].Match(line))
                    {
                        errorWaiters[i].Found.TrySetResult(line);
                        errorWaiters.RemoveAt(i);
                    }
                }
            }
        }
    }
}
