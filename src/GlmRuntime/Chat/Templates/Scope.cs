namespace GlmRuntime.Chat.Templates;

/// <summary>
/// One level of variable bindings. Loop bodies, macro calls and <c>with</c> blocks open a child scope, so a
/// <c>set</c> inside them does not leak out (Jinja's scoping; <c>namespace()</c> is the escape hatch).
/// </summary>
internal sealed class Scope
{
    private readonly Dictionary<string, object?> _variables = new(StringComparer.Ordinal);

    public Scope(Scope? parent = null) => Parent = parent;

    public Scope? Parent { get; }

    public bool TryLookup(string name, out object? value)
    {
        for (Scope? scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._variables.TryGetValue(name, out value))
                return true;
        }
        value = null;
        return false;
    }

    public void Set(string name, object? value) => _variables[name] = value;
}
