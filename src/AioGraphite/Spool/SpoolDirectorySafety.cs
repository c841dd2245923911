using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AioGraphite.Spool;

/// <summary>
/// Refuses spool directories that someone else could tamper with, and opens spool files without following symbolic
/// links (as OpenSSH's <c>StrictModes</c> and Postfix's queue checks do). A spool holds metric data that is sent on to
/// carbon, and a process (possibly root) that creates, truncates and deletes files in it: a directory that another user
/// owns or may write lets that user plant a file or a link there.
/// </summary>
/// <remarks>
/// Checked on Linux (<see cref="SpoolNative.IsSupported"/>); on other platforms directories are still created owner-only
/// and files opened as before.
/// </remarks>
internal static class SpoolDirectorySafety
{
    private const uint GroupOrOthersWrite = 0x12; // 0022
    private const int MaxRecreations = 100;

    /// <summary>
    /// Creates <paramref name="root"/> and the destination's <paramref name="directory"/> owner-only (0700) when
    /// missing, and refuses existing ones that are not safe: <paramref name="root"/> (which may be a symbolic link the
    /// operator made: its target is checked) and <paramref name="directory"/> (which must be a real directory) must be
    /// owned by this process's effective user and not writable by group or others. Throws <see cref="GraphiteException"/>
    /// with one line naming the path, the problem and the fix; <see cref="IOException"/> when a check cannot be made.
    /// </summary>
    public static void Prepare(string root, string directory)
    {
        bool check = SpoolNative.IsSupported;
        if (check && Directory.Exists(root))
        {
            Check(root, follow: true, "SpoolDirectory");
        }

        // The holder of the spool removes its directory when it closes the emptied spool: created again if it went
        // between the create and the check.
        for (int attempt = 0; ; attempt++)
        {
            SpoolDirectoryLayout.CreateDirectory(directory);
            if (!check || Check(directory, follow: false, "the spool directory of a destination") || attempt == MaxRecreations)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Opens a spool file for reading and writing, never through a symbolic link (<c>O_NOFOLLOW</c> on Linux): a link
    /// in its place fails with an <see cref="IOException"/> naming it (and its target is not touched).
    /// <paramref name="mode"/> is <see cref="FileMode.Open"/>, <see cref="FileMode.CreateNew"/> or
    /// <see cref="FileMode.OpenOrCreate"/>; a created file is owner-only (0600).
    /// </summary>
    public static SafeFileHandle OpenFile(string path, FileMode mode)
    {
        if (!SpoolNative.IsSupported)
        {
            if (mode != FileMode.Open)
            {
                using (new FileStream(path, SpoolDirectoryLayout.OwnerOnly(mode, FileShare.ReadWrite | FileShare.Delete)))
                {
                }
            }

            return File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }

        SafeFileHandle? handle = SpoolNative.Open(path, create: mode != FileMode.Open, exclusive: mode == FileMode.CreateNew, out int errno);
        return handle ?? throw OpenFailed(path, errno);
    }

    /// <summary>The exception for a failed <c>open</c>: <see cref="FileNotFoundException"/> for <c>ENOENT</c>, a clear word for a symbolic link.</summary>
    internal static IOException OpenFailed(string path, int errno) => errno switch
    {
        SpoolNative.ENoEnt => new FileNotFoundException($"Could not find file '{path}'.", path),
        SpoolNative.ELoop => new IOException($"'{path}' is a symbolic link, and spool files are never opened through one (its target is left alone): remove the link (rm '{path}'); the spool makes its own files."),
        _ => new IOException($"Cannot open '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno),
    };

    /// <summary>Throws when <paramref name="path"/> is not a safe directory; false when it is gone (removed meanwhile).</summary>
    private static bool Check(string path, bool follow, string what)
    {
        SpoolNative.FileStatus? found = SpoolNative.Stat(path, follow, out int errno);
        if (found is not SpoolNative.FileStatus status)
        {
            return errno == SpoolNative.ENoEnt ? false : throw new IOException($"Cannot check '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
        }

        if (status.IsSymbolicLink)
        {
            throw new GraphiteException($"The spool directory '{path}' is a symbolic link ({what} must be a real directory, or another user could point the spool anywhere): remove the link (rm '{path}'), and the next run creates the directory owner-only.");
        }

        if (!status.IsDirectory)
        {
            throw new GraphiteException($"The spool directory '{path}' is not a directory: remove or rename it, or give SpoolDirectory another path.");
        }

        uint self = SpoolNative.EffectiveUserId;
        if (status.UserId != self)
        {
            throw new GraphiteException(string.Create(CultureInfo.InvariantCulture, $"The spool directory '{path}' is owned by uid {status.UserId}, not by this process's user (uid {self}), who alone may own a spool (another user could plant or remove its files): run 'chown {self} {path}' (and 'chmod 700 {path}'), or give SpoolDirectory a directory of this user's own."));
        }

        if ((status.Permissions & GroupOrOthersWrite) != 0)
        {
            string mode = Convert.ToString(status.Permissions, 8).PadLeft(4, '0');
            throw new GraphiteException($"The spool directory '{path}' is writable by group or others (mode {mode}), so another user could plant or remove spool files: run 'chmod 700 {path}', or give SpoolDirectory a directory of this user's own.");
        }

        return true;
    }
}
