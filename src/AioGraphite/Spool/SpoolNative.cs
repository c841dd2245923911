using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AioGraphite.Spool;

/// <summary>
/// The few Linux system calls the spool needs that the BCL does not offer: <c>open</c> with <c>O_NOFOLLOW</c>, a real
/// <c>flock</c>, <c>fsync</c> of a directory (the BCL cannot open one), and <c>statx</c> (file type, mode, owner, device and inode; its layout is the same on every Linux
/// architecture, unlike <c>struct stat</c>). Other platforms keep the BCL's behaviour (<see cref="IsSupported"/> false).
/// </summary>
internal static partial class SpoolNative
{
    public const int ENoEnt = 2;
    public const int EExist = 17;
    public const int ELoop = 40;

    private const int ORdOnly = 0;
    private const int ORdWr = 2;
    private const int OCreat = 0x40;    // the same on every Linux architecture .NET runs on
    private const int OExcl = 0x80;
    private const int OCloexec = 0x80000;
    private const int LockEx = 2;
    private const int LockNb = 4;
    private const int EIntr = 4;
    private const int EWouldBlock = 11;
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxBytes = 256;
    private const int OwnerFileMode = 0x180; // 0600

    /// <summary>Whether the calls below are available (Linux).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary><c>O_NOFOLLOW</c>: 0100000 on ARM and POWER, 0400000 on x86, s390x, LoongArch and RISC-V.</summary>
    private static int ONoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le
        ? 0x8000
        : 0x20000;

    /// <summary><c>O_DIRECTORY</c>: 040000 on ARM and POWER, 0200000 on x86, s390x, LoongArch and RISC-V.</summary>
    private static int ODirectory => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le
        ? 0x4000
        : 0x10000;

    /// <summary>The process's effective user id.</summary>
    public static uint EffectiveUserId => GetEuid();

    /// <summary>
    /// Opens <paramref name="path"/> for reading and writing without following a symbolic link in its last component
    /// (<c>O_NOFOLLOW | O_CLOEXEC</c>; created 0600 with <paramref name="create"/>, only if new with
    /// <paramref name="exclusive"/>). Returns the handle, or <see langword="null"/> with the <c>errno</c>.
    /// </summary>
    public static SafeFileHandle? Open(string path, bool create, bool exclusive, out int errno)
    {
        int flags = ORdWr | OCloexec | ONoFollow | (create ? OCreat : 0) | (exclusive ? OExcl : 0);
        int fd;
        do
        {
            fd = OpenCall(path, flags, OwnerFileMode);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (fd < 0 && errno == EIntr);

        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// <c>fsync</c> of <paramref name="directory"/>: makes the names created, renamed or deleted in it durable (a file's
    /// own fsync makes its data durable, but its name only its directory's). Throws <see cref="IOException"/> when the
    /// directory cannot be opened or synced. Linux only (<see cref="IsSupported"/>).
    /// </summary>
    public static void SyncDirectory(string directory)
    {
        int fd;
        int errno;
        do
        {
            fd = OpenCall(directory, ORdOnly | ODirectory | OCloexec, 0);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (fd < 0 && errno == EIntr);

        if (fd < 0)
        {
            throw new IOException($"Cannot open the directory '{directory}' to sync it: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Fsync(handle) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            throw new IOException($"fsync of the directory '{directory}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
        }
    }

    /// <summary><c>flock(LOCK_EX | LOCK_NB)</c>: true when taken, false when another open file holds it; throws on any other error.</summary>
    public static bool TryLockExclusive(SafeFileHandle handle, string path)
    {
        while (true)
        {
            if (Flock(handle, LockEx | LockNb) == 0)
            {
                return true;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == EWouldBlock)
            {
                return false;
            }

            if (errno != EIntr)
            {
                throw new IOException($"flock('{path}') failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            }
        }
    }

    /// <summary>What <c>statx</c> says of <paramref name="path"/> (a symbolic link itself unless <paramref name="follow"/>); <see langword="null"/> with the <c>errno</c> when it fails.</summary>
    public static FileStatus? Stat(string path, bool follow, out int errno)
    {
        Span<byte> buffer = stackalloc byte[StatxBytes];
        int result = Statx(AtFdCwd, path, follow ? 0 : AtSymlinkNoFollow, StatxBasicStats, ref MemoryMarshal.GetReference(buffer));
        errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
        return result == 0 ? FileStatus.Read(buffer) : null;
    }

    /// <summary>What <c>statx</c> says of an open file (<c>AT_EMPTY_PATH</c>, as <c>fstat</c>).</summary>
    public static FileStatus StatOpen(SafeFileHandle handle, string path)
    {
        Span<byte> buffer = stackalloc byte[StatxBytes];
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxBasicStats, ref MemoryMarshal.GetReference(buffer)) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fstat('{path}') failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        return FileStatus.Read(buffer);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenCall(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeFileHandle fd, int operation);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    /// <summary>The fields of <c>struct statx</c> (<c>linux/stat.h</c>) the spool reads.</summary>
    /// <param name="Mode">File type and permission bits (<c>stx_mode</c>).</param>
    /// <param name="UserId">Owner (<c>stx_uid</c>).</param>
    /// <param name="Inode">Inode number (<c>stx_ino</c>).</param>
    /// <param name="DeviceMajor">Device of the file system (<c>stx_dev_major</c>).</param>
    /// <param name="DeviceMinor">Device of the file system (<c>stx_dev_minor</c>).</param>
    internal readonly record struct FileStatus(uint Mode, uint UserId, ulong Inode, uint DeviceMajor, uint DeviceMinor)
    {
        private const uint TypeMask = 0xF000; // S_IFMT
        private const uint DirectoryType = 0x4000;
        private const uint SymbolicLinkType = 0xA000;

        public bool IsDirectory => (Mode & TypeMask) == DirectoryType;

        public bool IsSymbolicLink => (Mode & TypeMask) == SymbolicLinkType;

        /// <summary>The permission bits (<c>07777</c>).</summary>
        public uint Permissions => Mode & 0xFFF;

        /// <summary>Whether both name the same file (device and inode).</summary>
        public bool SameFileAs(FileStatus other) => Inode == other.Inode && DeviceMajor == other.DeviceMajor && DeviceMinor == other.DeviceMinor;

        /// <summary>Reads the fields from a <c>struct statx</c> (native byte order).</summary>
        public static FileStatus Read(ReadOnlySpan<byte> statx) => new(
            MemoryMarshal.Read<ushort>(statx[28..]),
            ReadUInt32(statx[20..]),
            ReadUInt64(statx[32..]),
            ReadUInt32(statx[136..]),
            ReadUInt32(statx[140..]));

        private static uint ReadUInt32(ReadOnlySpan<byte> bytes) => MemoryMarshal.Read<uint>(bytes);

        private static ulong ReadUInt64(ReadOnlySpan<byte> bytes) => MemoryMarshal.Read<ulong>(bytes);
    }
}
