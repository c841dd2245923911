using System.Text;

namespace AioGraphite.Spool;

/// <summary>
/// Where things are in a spool directory: one sub-directory per destination and protocol
/// (<c>host_transport_port_protocol</c>, e.g. <c>127.0.0.1_tcp_2003_plaintext</c>), holding the record files (<c>000000000001.spool</c>, ...), the <c>checkpoint</c>
/// (retired-through sequence), the <c>identity</c> of the destination its records are for (<see cref="SpoolIdentityFile"/>),
/// the <c>lock</c> file and the <c>holder</c> note naming the process that holds it.
/// Directories are created owner-only (0700), files owner-read/write (0600); an existing directory that is not safe is
/// refused, and no file is opened through a symbolic link (<see cref="SpoolDirectorySafety"/>).
/// </summary>
internal static class SpoolDirectoryLayout
{
    public const string FileExtension = ".spool";
    public const string CheckpointName = "checkpoint";
    public const string LockName = "lock";
    public const string HolderName = "holder";
    public const string QuarantineSuffix = ".corrupt";

    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The sub-directory of one destination: its host (unsafe characters as <c>_</c>), port and protocol.</summary>
    public static string ForDestination(string root, string host, int port, SpoolFormat format)
    {
        var name = new StringBuilder(host.Length + 16);
        foreach (char c in host)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_');
        }

        name.Append('_').Append(port).Append('_').Append(format == SpoolFormat.Pickle ? "pickle" : "plaintext");
        return Path.Combine(root, name.ToString());
    }

    /// <summary>
    /// Creates a directory (and its missing parents) owner-only (on Unix); the parent of every directory it created is
    /// synced, so that their names are durable (a power cut cannot take a spool directory away with its synced files).
    /// </summary>
    public static void CreateDirectory(string path)
    {
        var created = new List<string>();
        for (string? d = Path.GetFullPath(path); d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
        {
            created.Add(d);
        }

        if (created.Count == 0)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, DirectoryMode);
        }

        for (int i = created.Count - 1; i >= 0; i--)
        {
            if (Path.GetDirectoryName(created[i]) is { } parent)
            {
                SpoolFileSystem.Default.SyncDirectory(parent);
            }
        }
    }

    /// <summary>The sub-directory of the destination <paramref name="identity"/> names: <c>host_tcp_port_protocol</c> (TLS too) or <c>host_udp_port_protocol</c>.</summary>
    public static string ForIdentity(string root, GraphiteSpoolIdentity identity) =>
        ForDestination(root, $"{identity.Host}_{(identity.Transport == GraphiteTransport.Udp ? "udp" : "tcp")}", identity.Port, identity.Protocol == GraphiteSpoolIdentity.Pickle ? SpoolFormat.Pickle : SpoolFormat.Plaintext);

    /// <summary>Options to open a file for reading and writing that, when created, is owner-only on Unix.</summary>
    public static FileStreamOptions OwnerOnly(System.IO.FileMode mode, FileShare share)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.ReadWrite, Share = share };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return options;
    }
}
