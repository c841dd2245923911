namespace AioGraphite.Tests.Architecture;

/// <summary>One row of the "Namespace dependencies" table.</summary>
/// <param name="Namespace">The namespace the row is about.</param>
/// <param name="MayUse">The namespaces its files may use (itself included).</param>
/// <param name="PublicTypesOnly">Of those, the ones whose public types only it may use (marked "(public types)").</param>
internal sealed record NamespaceRule(string Namespace, IReadOnlySet<string> MayUse, IReadOnlySet<string> PublicTypesOnly)
{
    public bool Allows(TypeUse use) =>
        MayUse.Contains(use.ToNamespace) && (use.IsPublic || !PublicTypesOnly.Contains(use.ToNamespace));

    public override string ToString()
    {
        var others = MayUse.Where(ns => ns != Namespace).Order(StringComparer.Ordinal)
            .Select(ns => PublicTypesOnly.Contains(ns) ? $"{ns} (public types)" : ns).ToList();
        return $"{Namespace} may use {(others.Count == 0 ? "nothing but itself" : string.Join(", ", others))}";
    }
}
