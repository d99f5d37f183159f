namespace GlmRuntime.Chat.Templates;

/// <summary>The <c>loop</c> variable of a <c>for</c> body over a materialised item list.</summary>
internal sealed class LoopContext
{
    private readonly IReadOnlyList<object?> _items;

    public LoopContext(IReadOnlyList<object?> items) => _items = items;

    /// <summary>0-based position of the current item.</summary>
    public int Index0 { get; set; }

    public object? GetAttribute(string name)
    {
        int n = _items.Count;
        return name switch
        {
            "index" => (long)Index0 + 1,
            "index0" => (long)Index0,
            "revindex" => (long)(n - Index0),
            "revindex0" => (long)(n - Index0 - 1),
            "first" => Index0 == 0,
            "last" => Index0 == n - 1,
            "length" => (long)n,
            "depth" => 1L,
            "depth0" => 0L,
            "previtem" => Index0 > 0 ? _items[Index0 - 1] : new Undefined("there is no previous item"),
            "nextitem" => Index0 < n - 1 ? _items[Index0 + 1] : new Undefined("there is no next item"),
            "cycle" => new BuiltinFunction("loop.cycle", (_, args) =>
            {
                if (args.Positional.Count == 0)
                    throw new TemplateError("loop.cycle() needs at least one argument");
                return args.Positional[Index0 % args.Positional.Count];
            }),
            _ => Undefined.ForAttribute(this, name),
        };
    }
}
