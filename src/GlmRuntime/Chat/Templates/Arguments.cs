namespace GlmRuntime.Chat.Templates;

/// <summary>Evaluated call arguments, bound by position or keyword with Python's rules.</summary>
internal sealed class Arguments
{
    public Arguments(IReadOnlyList<object?> positional, IReadOnlyList<KeyValuePair<string, object?>> named)
    {
        Positional = positional;
        Named = named;
    }

    public static Arguments Empty { get; } = new([], []);

    public IReadOnlyList<object?> Positional { get; }

    public IReadOnlyList<KeyValuePair<string, object?>> Named { get; }

    /// <summary>
    /// Rejects arguments the Python signature <paramref name="parameters"/> would reject: too many positional
    /// arguments, unknown keywords, or a parameter given twice.
    /// </summary>
    public void Check(string function, params string[] parameters)
    {
        if (Positional.Count > parameters.Length)
            throw new TemplateError($"{function}() takes at most {parameters.Length} argument{(parameters.Length == 1 ? "" : "s")} ({Positional.Count} given)");
        foreach (var (name, _) in Named)
        {
            int index = Array.IndexOf(parameters, name);
            if (index < 0)
                throw new TemplateError($"{function}() got an unexpected keyword argument '{name}'");
            if (index < Positional.Count)
                throw new TemplateError($"{function}() got multiple values for argument '{name}'");
        }
    }

    public bool TryGet(int index, string name, out object? value)
    {
        foreach (var (key, v) in Named)
        {
            if (key == name)
            {
                value = v;
                return true;
            }
        }
        if (index >= 0 && index < Positional.Count)
        {
            value = Positional[index];
            return true;
        }
        value = null;
        return false;
    }

    public object? Get(int index, string name, object? fallback = null) => TryGet(index, name, out object? v) ? v : fallback;

    public object? Required(int index, string name, string function) =>
        TryGet(index, name, out object? v) ? v : throw new TemplateError($"{function}() missing required argument '{name}'");

    public long GetInt(int index, string name, long fallback, string function) => Get(index, name, fallback) switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        var other => throw new TemplateError($"{function}(): '{name}' must be an integer, not {PyValues.TypeName(other)}"),
    };

    public bool GetBool(int index, string name, bool fallback) => PyValues.IsTruthy(Get(index, name, fallback));

    /// <summary>A string argument where None (or absence) means "not given".</summary>
    public string? GetOptionalString(int index, string name, string function) => Get(index, name) switch
    {
        null or Undefined => null,
        string s => s,
        var other => throw new TemplateError($"{function}(): '{name}' must be a string, not {PyValues.TypeName(other)}"),
    };
}
