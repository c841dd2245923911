using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AioGraphite.Naming;

namespace AioGraphite.Cluster;

/// <summary>
/// Graphite carbon's consistent hash ring (<c>carbon.hashing.ConsistentHashRing</c> with <c>hash_type='carbon_ch'</c>,
/// graphite-carbon 1.1.7) together with the replica walk of <c>carbon.routers.ConsistentHashingRouter</c>: given the
/// same destinations in the same order, it sends every metric where carbon-relay (<c>RELAY_METHOD = consistent-hashing</c>)
/// sends it.
/// </summary>
/// <remarks>
/// <para>The algorithm, step by step as carbon does it:</para>
/// <list type="bullet">
/// <item><description>Position of a string (<c>carbonHash</c> / <c>compactHash</c>): the MD5 of its UTF-8 bytes; the
/// first 4 hex digits of the digest read as a number, i.e. the first two digest bytes big-endian, 0..65535.</description></item>
/// <item><description>Ring entries (<c>add_node</c>): nodes are added in the order given; node <c>(server, instance)</c>
/// gets <c>replicas</c> entries (100), entry <c>i</c> at the position of <c>"%s:%d" % ((server, instance), i)</c>,
/// i.e. Python's tuple text such as <c>('127.0.0.1', 'a'):0</c> or <c>('10.0.0.1', None):7</c> (see
/// <see cref="RingKey"/>). The port takes no part. When the position is already taken by an earlier entry (of any node)
/// it is bumped by one until free, without wrapping, so positions can exceed 65535 and the outcome depends on the
/// order of the nodes.</description></item>
/// <item><description>Lookup (<c>get_node</c>): <c>bisect_left</c> for the key's position, i.e. the first entry at or
/// after it, wrapping to the first entry past the end.</description></item>
/// <item><description>Replication (<c>get_nodes</c> + <c>ConsistentHashingRouter.getDestinations</c>): walk on from that
/// entry, yielding each node the first time it is met, stopping one entry short of a full turn; keep the first
/// <c>count</c> of them, or with <c>DIVERSE_REPLICAS</c> (carbon's default) only nodes whose server was not yet chosen
/// until <c>count</c> servers are chosen.</description></item>
/// </list>
/// <para>Built with <see cref="ConsistentHashing.CarbonCRelay"/> it is carbon-c-relay's <c>carbon_ch</c> ring instead
/// (carbon-c-relay 3.7.3, <c>consistent-hash.c</c>): the same positions (ring keys written with <c>snprintf</c>, i.e.
/// the host and instance between quotes without Python's escaping, cut at 255 bytes, see <see cref="CRelayRingKey"/>),
/// but no bump: entries are sorted by (position, host, instance) in byte order, a node without instance after one with,
/// and every entry that shares its position with the entry before it is handed to that entry's node, so a collided
/// position belongs to the node that sorts first whatever the order of the nodes. Replication takes the next
/// <c>count</c> distinct nodes, walking the whole ring (<c>ch_get_nodes</c>); <c>DIVERSE_REPLICAS</c> does not exist
/// there. See <c>docs/notes/carbon-ch-placement.md</c>.</para>
/// </remarks>
internal sealed class CarbonConsistentHashRing
{
    /// <summary>carbon's default <c>replica_count</c>: ring entries per node.</summary>
    public const int DefaultReplicas = 100;

    private const int StackallocLimit = 512;

    // carbon-c-relay writes its ring keys into char buf[256].
    private const int CRelayRingKeyMaxBytes = 255;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly CarbonNode[] _nodes;

    // Ring entries sorted by position (positions are unique); _owners[i] indexes _nodes.
    private readonly int[] _positions;
    private readonly int[] _owners;

    /// <summary>
    /// Builds the ring as <c>ConsistentHashRing(nodes, replica_count=replicas)</c> does, or with
    /// <see cref="ConsistentHashing.CarbonCRelay"/> as carbon-c-relay's <c>carbon_ch</c> cluster does.
    /// </summary>
    /// <param name="nodes">The destinations, in carbon's <c>DESTINATIONS</c> order (with <see cref="ConsistentHashing.CarbonRelay"/> the order decides who wins a position collision).</param>
    /// <param name="replicas">Ring entries per node; carbon and carbon-c-relay always use 100.</param>
    /// <param name="hashing">Whose ring: graphite-carbon's (collisions bumped) or carbon-c-relay's (collisions kept).</param>
    /// <exception cref="ArgumentNullException"><paramref name="nodes"/> is null.</exception>
    /// <exception cref="ArgumentException">No nodes; a node without host; a port outside 1..65535; or two nodes with the same host and instance (carbon: "destination instance (...) already configured").</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="replicas"/> is less than 1, or <paramref name="hashing"/> is unknown.</exception>
    public CarbonConsistentHashRing(IEnumerable<CarbonNode> nodes, int replicas = DefaultReplicas, ConsistentHashing hashing = ConsistentHashing.CarbonRelay)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        if (!Enum.IsDefined(hashing))
        {
            throw new ArgumentOutOfRangeException(nameof(hashing), hashing, "Unknown ConsistentHashing.");
        }

        CarbonNode[] list = [.. nodes];
        if (list.Length == 0)
        {
            throw new ArgumentException("A hash ring needs at least one node.", nameof(nodes));
        }

        var configured = new HashSet<(string Host, string? Instance)>();
        foreach (CarbonNode node in list)
        {
            if (string.IsNullOrEmpty(node.Host))
            {
                throw new ArgumentException("Every node needs a host.", nameof(nodes));
            }

            if (node.Port is < 1 or > 65535)
            {
                throw new ArgumentException($"Port {node.Port.ToString(CultureInfo.InvariantCulture)} of node {node.Host} is outside 1..65535.", nameof(nodes));
            }

            if (!configured.Add((node.Host, node.Instance)))
            {
                throw new ArgumentException($"destination instance ({node.Host}, {node.Instance ?? "None"}) already configured: two nodes on one host need different instances.", nameof(nodes));
            }
        }

        _nodes = list;
        Replicas = replicas;
        Hashing = hashing;
        (_positions, _owners) = BuildEntries(list, replicas, hashing);
    }

    /// <summary>Gets the nodes, in the order the ring was built from.</summary>
    public IReadOnlyList<CarbonNode> Nodes => _nodes;

    /// <summary>Gets the number of ring entries per node.</summary>
    public int Replicas { get; }

    /// <summary>Gets whose ring this is: graphite-carbon's or carbon-c-relay's.</summary>
    public ConsistentHashing Hashing { get; }

    /// <summary>
    /// The string carbon hashes for ring entry <paramref name="replica"/> of <paramref name="node"/>:
    /// <c>"%s:%d" % ((server, instance), replica)</c>, e.g. <c>('127.0.0.1', 'a'):0</c>, <c>('h', None):3</c>.
    /// </summary>
    /// <param name="node">The node (its port is not part of the key).</param>
    /// <param name="replica">The entry number, 0-based.</param>
    /// <returns>The ring key.</returns>
    public static string RingKey(CarbonNode node, int replica)
    {
        var builder = new StringBuilder(64);
        AppendNodeKey(builder, node);
        return builder.Append(':').Append(replica.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    /// <summary>
    /// The string carbon-c-relay hashes for ring entry <paramref name="replica"/> of <paramref name="node"/>:
    /// <c>snprintf(buf, 256, "('%s', %s%s%s):%d", ip, ...)</c>, e.g. <c>('127.0.0.1', 'a'):0</c>,
    /// <c>('h', None):3</c>. Host and instance go between the quotes as they are (Python's <c>repr</c> would escape
    /// quotes, backslashes and unprintable characters), so for ordinary hosts and instances it equals
    /// <see cref="RingKey"/>. carbon-c-relay hashes at most the first 255 bytes of its UTF-8 form.
    /// </summary>
    /// <param name="node">The node (its port is not part of the key).</param>
    /// <param name="replica">The entry number, 0-based.</param>
    /// <returns>The ring key, before the cut at 255 bytes.</returns>
    public static string CRelayRingKey(CarbonNode node, int replica)
    {
        var builder = new StringBuilder(64);
        builder.Append("('").Append(node.Host).Append("', ");
        if (node.Instance is null)
        {
            builder.Append("None");
        }
        else
        {
            builder.Append('\'').Append(node.Instance).Append('\'');
        }

        return builder.Append("):").Append(replica.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    /// <summary>
    /// The ring position of <paramref name="key"/>: <c>carbonHash(key, 'carbon_ch')</c> =
    /// <c>int(md5(key.encode('utf-8')).hexdigest()[:4], 16)</c>, the first two MD5 bytes big-endian.
    /// </summary>
    /// <param name="key">The string to place (a routing key or a ring key).</param>
    /// <returns>A position in 0..65535.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> holds a lone surrogate, which has no UTF-8 form (Python raises <c>UnicodeEncodeError</c>).</exception>
    [SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "carbon's carbon_ch placement is defined on MD5; it is a hash-ring position, not a security use.")]
    public static int ComputePosition(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int maxBytes = StrictUtf8.GetMaxByteCount(key.Length);
        byte[]? rented = null;
        Span<byte> buffer = maxBytes <= StackallocLimit
            ? stackalloc byte[StackallocLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            return ComputePosition(buffer[..GetUtf8(key, buffer)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The ring position of the bytes <paramref name="utf8"/>: the first two bytes of their MD5, big-endian.</summary>
    /// <param name="utf8">The bytes to place.</param>
    /// <returns>A position in 0..65535.</returns>
    [SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "carbon's carbon_ch placement is defined on MD5; it is a hash-ring position, not a security use.")]
    public static int ComputePosition(ReadOnlySpan<byte> utf8)
    {
        Span<byte> digest = stackalloc byte[MD5.HashSizeInBytes];
        MD5.HashData(utf8, digest);
        return (digest[0] << 8) | digest[1];
    }

    /// <summary>
    /// The node for <paramref name="key"/>, as <c>ConsistentHashRing.get_node(key)</c> (or carbon-c-relay's
    /// <c>ch_get_nodes</c> with replication 1).
    /// </summary>
    /// <param name="key">The routing key: the name as sent for carbon-relay, <see cref="CarbonCRelayKey.ForMetric(string)"/> for carbon-c-relay.</param>
    /// <returns>The owner of the first ring entry at or after the key's position (wrapping).</returns>
    public CarbonNode GetNode(string key) => _nodes[_owners[StartIndex(ComputePosition(key))]];

    /// <summary>
    /// The destinations for <paramref name="key"/> with replication factor <paramref name="count"/>, as
    /// <c>ConsistentHashingRouter.getDestinations</c> yields them (over <c>ConsistentHashRing.get_nodes</c>), first
    /// the primary (<see cref="GetNode"/>).
    /// </summary>
    /// <remarks>
    /// With <paramref name="diverseReplicas"/> (carbon's <c>DIVERSE_REPLICAS = True</c>, the default) a node is skipped
    /// when a node on the same host was already chosen, so all destinations on one host give a single destination
    /// whatever <paramref name="count"/> is. Without it, the first <paramref name="count"/> distinct nodes are taken.
    /// Fewer than <paramref name="count"/> are returned when the ring has fewer (distinct-host) nodes. The walk stops
    /// one entry short of a full turn, as carbon's does. The result never repeats a node: for a ring of one node,
    /// carbon's <c>get_nodes</c> yields that node twice (its single-node shortcut does not return) and carbon-relay then
    /// sends once because it collects the destinations' connections in a set; this returns the node once.
    /// On a <see cref="ConsistentHashing.CarbonCRelay"/> ring <paramref name="diverseReplicas"/> is ignored and the
    /// first <paramref name="count"/> distinct nodes met on a full turn are taken, as carbon-c-relay's <c>ch_get_nodes</c>
    /// does (which would never end were <c>count</c> more than it can find; its configuration refuses that).
    /// </remarks>
    /// <param name="key">The routing key: the name as sent for carbon-relay, <see cref="CarbonCRelayKey.ForMetric(string)"/> for carbon-c-relay.</param>
    /// <param name="count">The replication factor (<c>REPLICATION_FACTOR</c>), at least 1.</param>
    /// <param name="diverseReplicas">carbon's <c>DIVERSE_REPLICAS</c>: at most one destination per host (graphite-carbon's ring only).</param>
    /// <returns>The destinations, primary first.</returns>
    public IReadOnlyList<CarbonNode> GetNodes(string key, int count, bool diverseReplicas = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int start = StartIndex(ComputePosition(key));
        if (_nodes.Length == 1)
        {
            return [_nodes[0]];
        }

        var chosen = new List<CarbonNode>(Math.Min(count, _nodes.Length));
        Span<bool> met = _nodes.Length <= StackallocLimit ? stackalloc bool[_nodes.Length] : new bool[_nodes.Length];
        int metCount = 0;
        int ringLength = _positions.Length;
        int index = start;
        if (Hashing == ConsistentHashing.CarbonCRelay)
        {
            // ch_get_nodes: the next `count` distinct destinations, whatever their host.
            for (int step = 0; step < ringLength && chosen.Count < count; step++)
            {
                int owner = _owners[index];
                if (!met[owner])
                {
                    met[owner] = true;
                    chosen.Add(_nodes[owner]);
                }

                index = (index + 1) % ringLength;
            }

            return chosen;
        }

        int lastIndex = (start - 1 + ringLength) % ringLength;
        while (metCount < _nodes.Length && index != lastIndex)
        {
            int owner = _owners[index];
            if (!met[owner])
            {
                met[owner] = true;
                metCount++;
                CarbonNode node = _nodes[owner];
                if (!diverseReplicas)
                {
                    chosen.Add(node);
                    if (chosen.Count == count)
                    {
                        break;
                    }
                }
                else if (!HasHost(chosen, node.Host))
                {
                    chosen.Add(node);
                    if (chosen.Count >= count)
                    {
                        break;
                    }
                }
            }

            index = (index + 1) % ringLength;
        }

        return chosen;
    }

    /// <summary>
    /// The ring entries in position order, as carbon's <c>ConsistentHashRing.ring</c> list, or carbon-c-relay's
    /// entry list after it handed duplicate positions to the first of them: what the constructor builds the ring from.
    /// </summary>
    /// <param name="nodes">The nodes, in order, already checked.</param>
    /// <param name="replicas">Ring entries per node.</param>
    /// <param name="hashing">Whose ring.</param>
    /// <returns>Each entry's position and the index of its node in <paramref name="nodes"/>, sorted by position.</returns>
    internal static (int[] Positions, int[] Owners) BuildEntries(CarbonNode[] nodes, int replicas, ConsistentHashing hashing) =>
        hashing == ConsistentHashing.CarbonCRelay ? BuildCRelayEntries(nodes, replicas) : BuildCarbonEntries(nodes, replicas);

    // add_node, node after node in the given order.
    private static (int[] Positions, int[] Owners) BuildCarbonEntries(CarbonNode[] list, int replicas)
    {
        int total = checked(list.Length * replicas);
        var taken = new HashSet<int>(total);
        var positions = new int[total];
        var owners = new int[total];
        var key = new StringBuilder(64);
        int entry = 0;
        for (int owner = 0; owner < list.Length; owner++)
        {
            key.Clear();
            AppendNodeKey(key, list[owner]);
            key.Append(':');
            int prefixLength = key.Length;
            for (int replica = 0; replica < replicas; replica++)
            {
                key.Length = prefixLength;
                key.Append(replica.ToString(CultureInfo.InvariantCulture));
                int position = ComputePosition(key.ToString());

                // add_node: "while position in [r[0] for r in self.ring]: position = position + 1"
                while (!taken.Add(position))
                {
                    position++;
                }

                positions[entry] = position;
                owners[entry] = owner;
                entry++;
            }
        }

        Array.Sort(positions, owners);
        return (positions, owners);
    }

    // carbon-c-relay 3.7.3 ch_addnode: all entries, qsort by entrycmp_carbon (position, strcmp(ip), strcmp(instance)
    // with a NULL instance last), then "overwrite successive duplicates with the first entry".
    private static (int[] Positions, int[] Owners) BuildCRelayEntries(CarbonNode[] list, int replicas)
    {
        int total = checked(list.Length * replicas);
        var entries = new (int Position, int Owner)[total];
        int entry = 0;
        for (int owner = 0; owner < list.Length; owner++)
        {
            for (int replica = 0; replica < replicas; replica++)
            {
                string key = CRelayRingKey(list[owner], replica);
                var bytes = new byte[StrictUtf8.GetMaxByteCount(key.Length)];
                int length = GetUtf8(key, bytes);

                // char buf[256]: snprintf keeps at most 255 bytes.
                entries[entry++] = (ComputePosition(bytes.AsSpan(0, Math.Min(length, CRelayRingKeyMaxBytes))), owner);
            }
        }

        // Array.Sort is not stable, but only entries of one node can tie (the nodes' (host, instance) pairs are
        // distinct), and those are interchangeable.
        Array.Sort(entries, (x, y) =>
        {
            int byPosition = x.Position.CompareTo(y.Position);
            return byPosition != 0 ? byPosition : CompareCRelay(list[x.Owner], list[y.Owner]);
        });

        var positions = new int[total];
        var owners = new int[total];
        for (int i = 0; i < total; i++)
        {
            positions[i] = entries[i].Position;
            owners[i] = i > 0 && positions[i] == positions[i - 1] ? owners[i - 1] : entries[i].Owner;
        }

        return (positions, owners);
    }

    // entrycmp_carbon on equal positions: strcmp of the ips, then of the instances, a NULL instance after any other.
    // strcmp compares unsigned bytes, and UTF-8 byte order is code point order.
    private static int CompareCRelay(CarbonNode left, CarbonNode right)
    {
        int byHost = TaggedName.CompareCodePoints(left.Host, right.Host);
        if (byHost != 0)
        {
            return byHost;
        }

        if (left.Instance is null || right.Instance is null)
        {
            return left.Instance is null ? (right.Instance is null ? 0 : 1) : -1;
        }

        return TaggedName.CompareCodePoints(left.Instance, right.Instance);
    }

    private static int GetUtf8(string key, Span<byte> buffer)
    {
        try
        {
            return StrictUtf8.GetBytes(key, buffer);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException("The key holds a lone surrogate: carbon hashes the key's UTF-8 bytes and it has none (Python raises UnicodeEncodeError).", nameof(key), ex);
        }
    }

    private static bool HasHost(List<CarbonNode> chosen, string host)
    {
        foreach (CarbonNode node in chosen)
        {
            if (string.Equals(node.Host, host, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void AppendNodeKey(StringBuilder builder, CarbonNode node)
    {
        // str((server, instance)): "('127.0.0.1', 'a')", "('127.0.0.1', None)"
        builder.Append('(');
        PythonStringRepr.Append(builder, node.Host);
        builder.Append(", ");
        if (node.Instance is null)
        {
            builder.Append("None");
        }
        else
        {
            PythonStringRepr.Append(builder, node.Instance);
        }

        builder.Append(')');
    }

    // bisect_left(ring, (position, ())) % len(ring): the first entry whose position is >= position, wrapping.
    private int StartIndex(int position)
    {
        int index = Array.BinarySearch(_positions, position);
        if (index < 0)
        {
            index = ~index;
        }

        return index == _positions.Length ? 0 : index;
    }
}
