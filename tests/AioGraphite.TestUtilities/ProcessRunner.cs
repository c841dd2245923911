using System.Diagnostics;
using System.Text;

namespace AioGraphite.TestUtilities;

/// <summary>Runs helper programs (python, bash, the carbon launchers).</summary>
public static class ProcessRunner
{
    /// <summary>Result of <c>RunAsync</c>.</summary>
    public sealed record Result(int ExitCode, byte[] StandardOutput, string StandardError)
    {
        /// <summary>Standard output decoded as UTF-8.</summary>
        public string StandardOutputText => Encoding.UTF8.GetString(StandardOutput);
    }

    /// <summary>Runs a program to completion, feeding stdin and capturing stdout (bytes) and stderr (text).</summary>
    public static Task<Result> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        ReadOnlyMemory<byte> standardInput,
        IReadOnlyDictionary<string, string>? environment,
        TimeSpan timeout,
        CancellationToken cancellationToken) =>
        RunAsync(fileName, arguments, standardInput, environment, inheritEnvironment: true, timeout, cancellationToken);

    /// <summary>
    /// Runs a program to completion, feeding stdin and capturing stdout (bytes) and stderr (text); with
    /// <paramref name="inheritEnvironment"/> false it gets only <paramref name="environment"/>.
    /// </summary>
    public static async Task<Result> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        ReadOnlyMemory<byte> standardInput,
        IReadOnlyDictionary<string, string>? environment,
        bool inheritEnvironment,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        if (!inheritEnvironment)
        {
            psi.Environment.Clear();
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                psi.Environment[key] = value;
            }
        }

        using var process = new Process { StartInfo = psi };
        process.Start();
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        var token = timeoutCts.Token;
        try
        {
            var stdoutTask = ReadAllAsync(process.StandardOutput.BaseStream, token);
            var stderrTask = process.StandardError.ReadToEndAsync(token);
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(standardInput, token).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // the program exited without reading all its input: its exit code and stderr tell why.
            }

            var stdout = await stdoutTask.ConfigureAwait(false);
            var stderr = await stderrTask.ConfigureAwait(false);
            await process.WaitForExitAsync(token).ConfigureAwait(false);
            return new Result(process.ExitCode, stdout, stderr);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            TryKill(process);
            throw new TimeoutException($"{fileName} {string.Join(' ', psi.ArgumentList.Select(a => a.Length > 80 ? a[..80] + "..." : a))} did not finish within {timeout.TotalSeconds:0.#} s (killed)", ex);
        }
        catch
        {
            TryKill(process);
            throw;
        }
    }

    /// <summary>
    /// Runs a program that daemonises (carbon-cache start, carbon-c-relay -D): its output goes to
    /// <paramref name="outputFile"/> through a shell redirect, so the daemon never holds a pipe of ours.
    /// </summary>
    public static async Task<int> RunDetachedAsync(
        string fileName,
        IEnumerable<string> arguments,
        string outputFile,
        IReadOnlyDictionary<string, string>? environment,
        TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("out=$1; shift; exec \"$@\" >\"$out\" 2>&1 </dev/null");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(outputFile);
        psi.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                psi.Environment[key] = value;
            }
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {fileName}");
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex)
        {
            TryKill(process);
            throw new TimeoutException($"{fileName} did not return within {timeout.TotalSeconds:0.#} s; output so far:\n{Tail(outputFile, 30)}", ex);
        }

        return process.ExitCode;
    }

    /// <summary>The last <paramref name="lines"/> lines of a log file, or a note that it is missing.</summary>
    public static string Tail(string path, int lines)
    {
        try
        {
            var text = ReadShared(path);
            var all = text.Split('\n');
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines - 1)));
        }
        catch (IOException)
        {
            return $"({path} does not exist)";
        }
    }

    /// <summary>Reads a text file that another process may be writing.</summary>
    public static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
