namespace AioGraphite.Cluster;

/// <summary>
/// One carbon destination, as carbon's <c>DESTINATIONS</c> setting names it: <c>host:port[:instance]</c>
/// (<c>carbon.util.parseDestination</c> gives the triple <c>(server, port, instance)</c>).
/// </summary>
/// <remarks>
/// Only <see cref="Host"/> and <see cref="Instance"/> decide where a node sits on the hash ring
/// (<c>ConsistentHashingRouter.addDestination</c> adds the pair <c>(server, instance)</c> to the ring); the port is
/// carried along for connecting. Two destinations on one host therefore need different instances, otherwise they
/// hash alike.
/// </remarks>
/// <param name="Host">The server as written in the destination (an IP address or a host name; not resolved).</param>
/// <param name="Port">The TCP port of the destination's receiver.</param>
/// <param name="Instance">The carbon instance name (<c>a</c>, <c>b</c>, …), or <see langword="null"/> when the destination has none (Python's <c>None</c>).</param>
internal readonly record struct CarbonNode(string Host, int Port, string? Instance);
