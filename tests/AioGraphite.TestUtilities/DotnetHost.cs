namespace AioGraphite.TestUtilities;

/// <summary>The <c>dotnet</c> executable running the tests, to start framework-dependent programs (<c>dotnet X.dll</c>).</summary>
public static class DotnetHost
{
    private static readonly Lazy<string> Found = new(Find);

    /// <summary>The absolute path of <c>dotnet</c>.</summary>
    /// <exception cref="InvalidOperationException">Not found.</exception>
    public static string Path => Found.Value;

    /// <summary>A program built next to the test binaries (a referenced project's output), as <c>dotnet</c> arguments.</summary>
    /// <param name="assemblyName">e.g. <c>AioGraphite.FaultDriver</c>.</param>
    /// <returns>The path of its .dll.</returns>
    /// <exception cref="InvalidOperationException">It is not there.</exception>
    public static string BuiltProgram(string assemblyName)
    {
        var dll = System.IO.Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        var config = System.IO.Path.Combine(AppContext.BaseDirectory, assemblyName + ".runtimeconfig.json");
        return File.Exists(dll) && File.Exists(config)
            ? dll
            : throw new InvalidOperationException($"{dll} (and its runtimeconfig.json) not found: the test project must reference the project that builds {assemblyName}");
    }

    private static string Find()
    {
        var candidates = new List<string?>
        {
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
            Environment.ProcessPath is { } self && System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : null,
            Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root ? System.IO.Path.Combine(root, "dotnet") : null,
        };
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries).Select(dir => System.IO.Path.Combine(dir, "dotnet")));
        candidates.AddRange(["/usr/share/dotnet/dotnet", "/usr/lib/dotnet/dotnet", "/usr/local/share/dotnet/dotnet"]);
        return candidates.FirstOrDefault(c => c is { Length: > 0 } && File.Exists(c))
            ?? throw new InvalidOperationException("the 'dotnet' executable was not found (DOTNET_HOST_PATH, DOTNET_ROOT, PATH, /usr/share/dotnet)");
    }
}
