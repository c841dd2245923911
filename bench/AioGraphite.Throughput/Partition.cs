using System.Diagnostics;
using System.Net.NetworkInformation;

namespace AioGraphite.Throughput;

/// <summary>
/// The network partition of the latency mode: an nftables table that drops every packet on the input hook. Client and
/// server both live on the loopback interface of this network namespace, so that drops both directions. The tool
/// adds it only inside a named network namespace (<c>ip netns add</c>) whose only interface is <c>lo</c>
/// (<c>bench/latency-partitioned.sh</c> makes one): on the host it would cut the whole machine off the network.
/// </summary>
internal static class Partition
{
    public const string Table = "hole";

    /// <summary>Null when it is safe to add the rule here; otherwise why not.</summary>
    public static string? WhyNotIsolated()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "nftables needs Linux";
        }

        string[] interfaces = [.. NetworkInterface.GetAllNetworkInterfaces().Select(i => i.Name)];
        if (interfaces is not ["lo"])
        {
            return $"this network namespace has interfaces besides lo ({string.Join(", ", interfaces)}): it looks like the host's; run bench/latency-partitioned.sh (root), which makes a throw-away one with lo only";
        }

        string name;
        try
        {
            name = Run("ip", "netns", "identify").Trim();
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"cannot tell which network namespace this is ({ex.Message})";
        }

        return name.Length == 0 ? "this network namespace was not made with 'ip netns add'; run bench/latency-partitioned.sh (root)" : null;
    }

    /// <summary>Drops every packet from now on (<c>nft</c>, run as a child process: it inherits this namespace).</summary>
    public static void Open()
    {
        string? why = WhyNotIsolated();
        if (why is not null)
        {
            throw new InvalidOperationException($"refusing to add a drop-everything nftables rule: {why}");
        }

        _ = Run("nft", "add", "table", "inet", Table);
        _ = Run("nft", "add", "chain", "inet", Table, "in", "{ type filter hook input priority 0; }");
        _ = Run("nft", "add", "rule", "inet", Table, "in", "drop");
    }

    /// <summary>Deletes the table: packets flow again.</summary>
    public static void Close() => _ = Run("nft", "delete", "table", "inet", Table);

    /// <summary>Runs <paramref name="file"/> and returns its output; throws when it fails.</summary>
    private static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Result.Trim()}");
        }

        return output;
    }
}
