using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace AioGraphite.Tests.Architecture;

/// <summary>A type of another namespace that a source file names.</summary>
/// <param name="File">The file, as given to <see cref="NamespaceDependencyChecker.Scan"/>.</param>
/// <param name="Line">The line of the first mention.</param>
/// <param name="FromNamespace">The namespace the file declares.</param>
/// <param name="Type">The type's full name (namespace and, for a nested type, its declaring types).</param>
/// <param name="ToNamespace">The type's namespace.</param>
/// <param name="Ambiguous">The file's identifier names types in several namespaces; it counts for each of them.</param>
/// <param name="IsPublic">The type is visible outside the assembly.</param>
internal sealed record TypeUse(string File, int Line, string FromNamespace, string Type, string ToNamespace, bool Ambiguous, bool IsPublic);

/// <summary>
/// Checks which namespaces of the AioGraphite assembly each source file uses against the rules table of
/// docs/architecture.md ("Namespace dependencies"). A file uses a namespace when its code (comments, strings and
/// preprocessor lines removed) names one of that namespace's types: a simple name not reached by member access
/// (<c>x.Name</c> is a member), or a name qualified by its namespace; a <c>using</c> directive of a namespace counts as a
/// use of it. Types are known by reflection over the assembly,
/// internal and nested ones included; generic arity is ignored, and a simple name that several namespaces declare
/// counts for all of them (<see cref="TypeUse.Ambiguous"/>).
/// </summary>
internal sealed partial class NamespaceDependencyChecker
{
    public const string RulesHeading = "## Namespace dependencies";

    private readonly Dictionary<string, List<(string Namespace, string FullName, bool IsPublic)>> _typesByName = new(StringComparer.Ordinal);

    public NamespaceDependencyChecker(IEnumerable<Type> types, string rootNamespace)
    {
        RootNamespace = rootNamespace;
        var namespaces = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Type type in types)
        {
            if (type.Namespace is not { } ns
                || !(ns == rootNamespace || ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal))
                || IsCompilerGenerated(type))
            {
                continue;
            }

            namespaces.Add(ns);
            string name = SimpleName(type.Name);
            if (!_typesByName.TryGetValue(name, out var list))
            {
                _typesByName[name] = list = [];
            }

            string fullName = (type.FullName ?? type.Name).Replace('+', '.');
            int tick = fullName.IndexOf('`', StringComparison.Ordinal);
            list.Add((ns, tick < 0 ? fullName : fullName[..tick], type.IsVisible));
        }

        Namespaces = namespaces;
    }

    public string RootNamespace { get; }

    /// <summary>Every namespace the assembly declares types in.</summary>
    public IReadOnlySet<string> Namespaces { get; }

    /// <summary>
    /// Reads the table under <see cref="RulesHeading"/>: its first column names a namespace, its second the
    /// namespaces it may use, comma-separated, each in backticks and followed by "(public types)" when only the public
    /// types of that namespace may be used (anything else in the cell, "nothing" or a note, is ignored).
    /// </summary>
    /// <returns>Each namespace's rule; a namespace may always use itself.</returns>
    public static Dictionary<string, NamespaceRule> ParseRules(string markdown)
    {
        string[] lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int heading = Array.FindIndex(lines, l => l.TrimEnd() == RulesHeading);
        if (heading < 0)
        {
            throw new InvalidOperationException($"no \"{RulesHeading}\" heading");
        }

        var rules = new Dictionary<string, NamespaceRule>(StringComparer.Ordinal);
        int i = heading + 1;
        while (i < lines.Length && !lines[i].StartsWith('|'))
        {
            if (lines[i].StartsWith('#'))
            {
                throw new InvalidOperationException($"no table under \"{RulesHeading}\"");
            }

            i++;
        }

        for (i += 2; i < lines.Length && lines[i].StartsWith('|'); i++) // header and separator rows skipped
        {
            string[] cells = lines[i].Trim().Trim('|').Split('|');
            if (cells.Length < 2 || Backticked(cells[0]) is not [string from])
            {
                throw new InvalidOperationException($"rules row without one namespace in its first cell: {lines[i]}");
            }

            var mayUse = new HashSet<string>(StringComparer.Ordinal) { from };
            var publicOnly = new HashSet<string>(StringComparer.Ordinal);
            foreach (string item in cells[1].Split(','))
            {
                foreach (string ns in Backticked(item))
                {
                    mayUse.Add(ns);
                    if (item.Contains("(public types)", StringComparison.Ordinal))
                    {
                        publicOnly.Add(ns);
                    }
                }
            }

            if (!rules.TryAdd(from, new NamespaceRule(from, mayUse, publicOnly)))
            {
                throw new InvalidOperationException($"namespace {from} has two rows");
            }
        }

        return rules;
    }

    /// <summary>The namespace a file declares (file-scoped or block), or <see langword="null"/>.</summary>
    public static string? DeclaredNamespace(string code) =>
        NamespaceDeclaration().Match(code) is { Success: true } m ? m.Groups["name"].Value.Replace(" ", string.Empty, StringComparison.Ordinal) : null;

    /// <summary>Every type of another namespace of the assembly that the file names, once per type.</summary>
    public IReadOnlyList<TypeUse> Scan(string file, string source)
    {
        string code = CSharpSourceText.CodeOnly(source);
        string from = DeclaredNamespace(code) ?? RootNamespace;
        var uses = new Dictionary<string, TypeUse>(StringComparer.Ordinal);
        foreach (Match chain in QualifiedName().Matches(code))
        {
            int before = chain.Index - 1;
            while (before >= 0 && char.IsWhiteSpace(code[before]))
            {
                before--;
            }

            if (before >= 0 && code[before] == '.' && !(before >= 1 && code[before - 1] == '.'))
            {
                continue; // a member access: x.Name (but [.. Name] is a spread)
            }

            if (before >= 1 && code[before] == ':' && code[before - 1] == ':')
            {
                continue; // alias::Name (global:: is part of the match)
            }

            if (Namespaces.FirstOrDefault(n => n == chain.Value.Replace(" ", string.Empty, StringComparison.Ordinal)) is { } imported
                && UsingDirective().IsMatch(code.AsSpan(Math.Max(0, chain.Index - 200), Math.Min(chain.Index, 200))))
            {
                if (imported != from)
                {
                    // using AioGraphite.X; counts as a use of X (an extension method, say, is used without naming its type)
                    uses.TryAdd("using " + imported, new TypeUse(file, 1 + code.AsSpan(0, chain.Index).Count('\n'), from, "using " + imported, imported, Ambiguous: false, IsPublic: true));
                }

                continue;
            }

            string[] parts = [.. GlobalPrefix().Replace(chain.Value, string.Empty).Split('.', StringSplitOptions.TrimEntries).Select(p => p.TrimStart('@'))];
            int line = 1 + code.AsSpan(0, chain.Index).Count('\n');
            foreach (var (ns, fullName, ambiguous, isPublic) in Resolve(parts))
            {
                if (ns != from)
                {
                    uses.TryAdd(fullName, new TypeUse(file, line, from, fullName, ns, ambiguous, isPublic));
                }
            }
        }

        return [.. uses.Values.OrderBy(u => u.Line).ThenBy(u => u.Type, StringComparer.Ordinal)];
    }

    /// <summary>The uses the rules do not allow, each as a sentence naming the file, the type and the rule.</summary>
    public static IEnumerable<string> Violations(IEnumerable<TypeUse> uses, IReadOnlyDictionary<string, NamespaceRule> rules)
    {
        foreach (TypeUse use in uses)
        {
            if (!rules.TryGetValue(use.FromNamespace, out var rule))
            {
                yield return $"{use.File}:{use.Line}: namespace {use.FromNamespace} has no row in the \"Namespace dependencies\" table (it uses {use.Type})";
            }
            else if (!rule.Allows(use))
            {
                yield return $"{use.File}:{use.Line}: {use.FromNamespace} uses {(rule.MayUse.Contains(use.ToNamespace) ? "the internal type " : string.Empty)}{use.Type}"
                    + $"{(use.Ambiguous ? " (the name is ambiguous)" : string.Empty)}, but the rule is \"{rule}\"";
            }
        }
    }

    /// <summary>A cycle among the rules' namespaces (the one left out aside), as "A → B → A", or <see langword="null"/>.</summary>
    public static string? FindCycle(IReadOnlyDictionary<string, NamespaceRule> rules, string except)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();

        string? Visit(string ns)
        {
            int onPath = path.IndexOf(ns);
            if (onPath >= 0)
            {
                return string.Join(" → ", path.Skip(onPath).Append(ns));
            }

            if (!done.Add(ns))
            {
                return null;
            }

            path.Add(ns);
            foreach (string next in rules.TryGetValue(ns, out var rule) ? rule.MayUse.Where(u => u != ns && u != except).Order(StringComparer.Ordinal) : Enumerable.Empty<string>())
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }

        return rules.Keys.Where(ns => ns != except).Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(c => c is not null);
    }

    private IEnumerable<(string Namespace, string FullName, bool Ambiguous, bool IsPublic)> Resolve(string[] parts)
    {
        // Qualified by a namespace: the longest namespace prefix, then the type named after it.
        for (int n = parts.Length - 1; n >= 1; n--)
        {
            string ns = string.Join('.', parts[..n]);
            if (!Namespaces.Contains(ns) && Namespaces.Contains(RootNamespace + "." + ns))
            {
                ns = RootNamespace + "." + ns; // Spool.DestinationSpool, inside the root namespace
            }

            if (Namespaces.Contains(ns))
            {
                if (_typesByName.TryGetValue(parts[n], out var qualified))
                {
                    foreach (var t in qualified.Where(t => t.Namespace == ns))
                    {
                        yield return (t.Namespace, t.FullName, false, t.IsPublic);
                    }
                }

                yield break;
            }
        }

        if (parts is [var only] && only == RootNamespace)
        {
            yield break; // the namespace itself (namespace AioGraphite;)
        }

        // A simple name (the rest of the chain is member access or nested types, of the same namespace).
        if (_typesByName.TryGetValue(parts[0], out var types))
        {
            bool ambiguous = types.Select(t => t.Namespace).Distinct(StringComparer.Ordinal).Count() > 1;
            foreach (var t in types)
            {
                yield return (t.Namespace, t.FullName, ambiguous, t.IsPublic);
            }
        }
    }

    private static bool IsCompilerGenerated(Type type) =>
        type.Name.Contains('<', StringComparison.Ordinal) || type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
        || (type.DeclaringType is { } outer && IsCompilerGenerated(outer));

    private static string SimpleName(string name)
    {
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }

    private static List<string> Backticked(string cell) => [.. Regex.Matches(cell, "`(?<name>[^`]+)`").Select(m => m.Groups["name"].Value.Trim())];

    [GeneratedRegex(@"(?<![\w@])(?:global\s*::\s*)?@?[A-Za-z_]\w*(?:\s*\.\s*@?[A-Za-z_]\w*)*")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"(?:^|[;{}\n])\s*(?:global\s+)?using\s+(?:\w+\s*=\s*)?$", RegexOptions.RightToLeft)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^global\s*::\s*")]
    private static partial Regex GlobalPrefix();

    [GeneratedRegex(@"^\s*namespace\s+(?<name>[\w.\s]+?)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();
}
