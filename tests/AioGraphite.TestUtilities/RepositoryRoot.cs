namespace AioGraphite.TestUtilities;

/// <summary>Finds the repository (the directory holding <c>AioGraphite.slnx</c>) from the test binaries.</summary>
public static class RepositoryRoot
{
    /// <summary>The repository root, searched upwards from <see cref="AppContext.BaseDirectory"/>, or <see langword="null"/>.</summary>
    /// <returns>The directory, or <see langword="null"/> when the binaries do not sit inside a checkout.</returns>
    public static string? TryFind()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AioGraphite.slnx")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>The repository root; throws when the binaries do not sit inside a checkout.</summary>
    /// <returns>The directory.</returns>
    /// <exception cref="InvalidOperationException">No <c>AioGraphite.slnx</c> above the test binaries.</exception>
    public static string Find() =>
        TryFind() ?? throw new InvalidOperationException($"AioGraphite.slnx not found above {AppContext.BaseDirectory}: run the tests from a checkout of the repository.");
}
