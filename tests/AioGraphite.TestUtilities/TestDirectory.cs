namespace AioGraphite.TestUtilities;

/// <summary>Per-server temp directories; kept after the run when <c>AIOGRAPHITE_KEEP_TEST_DIRS=1</c>.</summary>
internal static class TestDirectory
{
    public const string KeepVariable = "AIOGRAPHITE_KEEP_TEST_DIRS";

    public static bool Keep => Environment.GetEnvironmentVariable(KeepVariable) == "1";

    /// <summary>Creates a fresh directory whose path carbon's ConfigParser accepts (no '%').</summary>
    public static string Create(string prefix)
    {
        var root = Path.GetTempPath();
        if (root.Contains('%', StringComparison.Ordinal) || root.Contains('\n', StringComparison.Ordinal))
        {
            root = "/tmp";
        }

        var path = Path.Combine(root, $"aiographite-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        if (path.Contains('%', StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"temp directory {path} contains '%', which breaks carbon's ConfigParser; set TMPDIR to a path without '%'");
        }

        return path;
    }

    /// <summary>Deletes <paramref name="path"/> unless <see cref="Keep"/>; never throws.</summary>
    public static void Delete(string path)
    {
        if (Keep || !Directory.Exists(path))
        {
            return;
        }

        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                Directory.Delete(path, recursive: true);
                return;
            }
            catch (IOException)
            {
                Thread.Sleep(50);
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
        }
    }
}
