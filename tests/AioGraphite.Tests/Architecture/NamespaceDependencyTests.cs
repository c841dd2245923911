using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Tests.Architecture;

/// <summary>
/// docs/architecture.md's "Namespace dependencies" table against the code: every type a file of src/AioGraphite
/// names must belong to its own namespace or one its row allows, and every namespace must have a row.
/// </summary>
public sealed class NamespaceDependencyTests(ITestOutputHelper output)
{
    private const string Root = "AioGraphite";

    private const string SmallRules = """
        ## Namespace dependencies

        | namespace | may use |
        | --- | --- |
        | `AioGraphite` | `AioGraphite.Pipeline`, `AioGraphite.Spool` |
        | `AioGraphite.Pipeline` | `AioGraphite.Spool` |
        | `AioGraphite.Spool` | `AioGraphite` (public types) |
        | `AioGraphite.Protocols` | nothing |

        ## Next
        """;

    [Fact]
    public void EveryNamespaceUsesOnlyWhatTheDocumentAllows()
    {
        var checker = LibraryChecker();
        var uses = LibrarySources().SelectMany(f => checker.Scan(f.Name, f.Text)).ToList();

        foreach (var edge in uses.GroupBy(u => (u.FromNamespace, u.ToNamespace)).OrderBy(g => g.Key.FromNamespace, StringComparer.Ordinal).ThenBy(g => g.Key.ToNamespace, StringComparer.Ordinal))
        {
            output.WriteLine($"{edge.Key.FromNamespace} -> {edge.Key.ToNamespace}: {string.Join(", ", edge.Select(u => $"{Path.GetFileName(u.File)}:{u.Type[(u.ToNamespace.Length + 1)..]}").Distinct().Order(StringComparer.Ordinal))}");
        }

        foreach (var ambiguous in uses.Where(u => u.Ambiguous))
        {
            output.WriteLine($"ambiguous name, counted for every namespace declaring it: {ambiguous.File}:{ambiguous.Line} {ambiguous.Type}");
        }

        var rules = NamespaceDependencyChecker.ParseRules(File.ReadAllText(ArchitectureDocument()));
        var violations = NamespaceDependencyChecker.Violations(uses, rules).ToList();
        Assert.True(violations.Count == 0, $"docs/architecture.md, \"Namespace dependencies\", is broken:\n{string.Join('\n', violations)}");
    }

    [Fact]
    public void TheTableHasARowForEveryNamespaceAndNoOther()
    {
        var checker = LibraryChecker();
        var rules = NamespaceDependencyChecker.ParseRules(File.ReadAllText(ArchitectureDocument()));
        var declared = LibrarySources().Select(f => NamespaceDependencyChecker.DeclaredNamespace(CSharpSourceText.CodeOnly(f.Text)) ?? Root);
        var existing = checker.Namespaces.Union(declared).ToHashSet(StringComparer.Ordinal);

        Assert.Empty(existing.Except(rules.Keys).Order(StringComparer.Ordinal).Select(ns => $"{ns} exists but has no row"));
        Assert.Empty(rules.Keys.Except(existing).Order(StringComparer.Ordinal).Select(ns => $"{ns} has a row but does not exist"));
        Assert.Empty(rules.SelectMany(r => r.Value.MayUse.Where(u => !existing.Contains(u)).Select(u => $"{r.Key} may use {u}, which does not exist")));
    }

    [Fact]
    public void TheInternalNamespacesMayNotUseEachOtherInACycle()
    {
        var rules = NamespaceDependencyChecker.ParseRules(File.ReadAllText(ArchitectureDocument()));

        Assert.Null(NamespaceDependencyChecker.FindCycle(rules, except: Root));
    }

    [Fact]
    public void Checker_FindsACycle()
    {
        var rules = NamespaceDependencyChecker.ParseRules(SmallRules.Replace("| `AioGraphite.Spool` | `AioGraphite` (public types) |", "| `AioGraphite.Spool` | `AioGraphite.Pipeline` |", StringComparison.Ordinal));

        Assert.Equal("AioGraphite.Pipeline → AioGraphite.Spool → AioGraphite.Pipeline", NamespaceDependencyChecker.FindCycle(rules, except: Root));
        Assert.Null(NamespaceDependencyChecker.FindCycle(NamespaceDependencyChecker.ParseRules(SmallRules), except: Root));
    }

    [Fact]
    public void Checker_ReportsAForbiddenUse_NamingFileTypeAndRule()
    {
        var checker = LibraryChecker();
        const string source = """
            using System.Text;

            namespace AioGraphite.Spool;

            internal sealed class Fake
            {
                private readonly SendBuffer? _buffer;
            }
            """;

        var uses = checker.Scan("src/AioGraphite/Spool/Fake.cs", source);
        var violations = NamespaceDependencyChecker.Violations(uses, NamespaceDependencyChecker.ParseRules(SmallRules)).ToList();

        string violation = Assert.Single(violations);
        Assert.Contains("src/AioGraphite/Spool/Fake.cs:7", violation, StringComparison.Ordinal);
        Assert.Contains("AioGraphite.Pipeline.SendBuffer", violation, StringComparison.Ordinal);
        Assert.Contains("the rule is \"AioGraphite.Spool may use AioGraphite (public types)\"", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void Checker_CountsAUsingDirectiveAsAUse()
    {
        var checker = LibraryChecker();
        const string source = """
            using System.Text;
            using AioGraphite.Protocols;
            global using AioGraphite.Pipeline;
            using Alias = AioGraphite.Transport;

            namespace AioGraphite.Spool;
            """;

        var uses = checker.Scan("Fake.cs", source);

        Assert.Equal(["using AioGraphite.Protocols", "using AioGraphite.Pipeline", "using AioGraphite.Transport"], uses.Select(u => u.Type));
        Assert.Equal([2, 3, 4], uses.Select(u => u.Line));
    }

    [Fact]
    public void Checker_PublicTypesOnly_AllowsPublicTypesAndReportsInternalOnes()
    {
        var rules = NamespaceDependencyChecker.ParseRules(SmallRules);
        var publicUse = new TypeUse("Fake.cs", 3, "AioGraphite.Spool", "AioGraphite.GraphiteException", "AioGraphite", Ambiguous: false, IsPublic: true);
        var internalUse = publicUse with { Type = "AioGraphite.Hidden", IsPublic = false };
        var fromProtocols = publicUse with { FromNamespace = "AioGraphite.Protocols" };

        Assert.Equal(
            [
                "Fake.cs:3: AioGraphite.Spool uses the internal type AioGraphite.Hidden, but the rule is \"AioGraphite.Spool may use AioGraphite (public types)\"",
                "Fake.cs:3: AioGraphite.Protocols uses AioGraphite.GraphiteException, but the rule is \"AioGraphite.Protocols may use nothing but itself\"",
            ],
            NamespaceDependencyChecker.Violations([publicUse, internalUse, fromProtocols], rules));
    }

    [Fact]
    public void Checker_FindsQualifiedNestedAndGenericUses_AndAllowedOnesPass()
    {
        var checker = LibraryChecker();
        const string source = """
            namespace AioGraphite.Spool
            {
                internal static class Fake
                {
                    public static object A() => new global::AioGraphite.Pipeline.ReconnectBackoff(default!, default);
                    public static object B() => Pipeline.SequenceWaiters.Nothing;
                    public static object C() => new List<Protocols.Segment>();
                    public static string D(int i) => $"{i} {nameof(Transport.TcpConnection)} {(i > 0 ? "x" : "y")}";
                }
            }
            """;

        var uses = checker.Scan("Fake.cs", source);

        Assert.Equal(
            ["AioGraphite.Pipeline.ReconnectBackoff", "AioGraphite.Pipeline.SequenceWaiters", "AioGraphite.Protocols.Segment", "AioGraphite.Transport.TcpConnection"],
            uses.Select(u => u.Type));
        Assert.All(uses, u => Assert.Equal("AioGraphite.Spool", u.FromNamespace));
        Assert.Equal(4, NamespaceDependencyChecker.Violations(uses, NamespaceDependencyChecker.ParseRules(SmallRules)).Count());
    }

    [Fact]
    public void Checker_IgnoresCommentsStringsAndMemberAccess()
    {
        var checker = LibraryChecker();
        const string source = """"
            namespace AioGraphite.Spool;

            /// <summary>Not <see cref="Pipeline.SendBuffer"/>.</summary>
            internal static class Fake
            {
                // SendBuffer
                /* SenderLoop */
                public static string A(Fake x) => "SendBuffer" + @"SenderLoop ""DestinationSender""" + $"{x.ToString()} SpoolWriter" + x.SendBuffer;
                public static string B() => $$"""{SendBuffer}""" + '"' + "{SenderLoop}";
            }
            """";

        Assert.Empty(checker.Scan("Fake.cs", source));
    }

    private static NamespaceDependencyChecker LibraryChecker() => new(typeof(GraphiteClient).Assembly.GetTypes(), Root);

    private static string ArchitectureDocument() => Path.Combine(RepositoryRoot.Find(), "docs", "architecture.md");

    private static IEnumerable<(string Name, string Text)> LibrarySources()
    {
        string root = RepositoryRoot.Find();
        string library = Path.Combine(root, "src", Root);
        return Directory.EnumerateFiles(library, "*.cs", SearchOption.AllDirectories)
            .Where(f => Path.GetRelativePath(library, f).Split(Path.DirectorySeparatorChar) is not ["obj" or "bin", ..])
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllText(f)));
    }
}
