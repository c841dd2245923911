namespace AioGraphite.TestUtilities;

/// <summary>
/// Finds <c>ip</c> (iproute2) and <c>nft</c> (nftables) for <see cref="NetworkNamespace"/>, installing them through
/// <c>scripts/install-carbon.sh</c> when missing, and fails loudly with what to run when that is not possible.
/// Network namespaces need root (CAP_SYS_ADMIN and CAP_NET_ADMIN).
/// </summary>
internal static class NetworkTools
{
    public const string AptCommand = "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iproute2 nftables";

    private static readonly string[] SearchPath = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];
    private static readonly Lazy<Task<(string Ip, string Nft)>> Once = new(FindOrInstallAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The absolute paths of <c>ip</c> and <c>nft</c>; throws with a fix-it message when they cannot be had.</summary>
    public static Task<(string Ip, string Nft)> EnsureAvailableAsync() => Once.Value;

    private static async Task<(string Ip, string Nft)> FindOrInstallAsync()
    {
        if (!Posix.IsRoot)
        {
            throw new InvalidOperationException(
                "The network fault tests create network namespaces ('ip netns add') and nftables rules, which needs root. "
                + "Run the tests as root, e.g. 'sudo scripts/test.sh'.");
        }

        if (Find("ip") is { } ip && Find("nft") is { } nft)
        {
            return (ip, nft);
        }

        // scripts/install-carbon.sh installs iproute2 and nftables along with the Graphite servers.
        try
        {
            await CarbonInstallation.EnsureInstalledAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"'ip' or 'nft' is missing and the install failed. Fix it with:\n  {AptCommand}\n{ex.Message}", ex);
        }

        return (Find("ip"), Find("nft")) is ({ } ip2, { } nft2)
            ? (ip2, nft2)
            : throw new InvalidOperationException(
                $"'ip' (iproute2) and 'nft' (nftables) are needed for the network fault tests, and were not found in {string.Join(", ", SearchPath)} "
                + $"even after scripts/install-carbon.sh. Fix it with:\n  {AptCommand}\nthen run the tests again.");
    }

    private static string? Find(string program)
        => SearchPath.Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
}
