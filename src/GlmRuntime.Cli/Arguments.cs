namespace GlmRuntime.Cli;

/// <summary>A parsed command line: positional arguments, <c>--name value</c> options and <c>--flag</c> switches.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    /// <summary>Parses <paramref name="args"/>, accepting only the named options (which take a value) and flags.</summary>
    public static Arguments Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> options, IReadOnlyCollection<string> flags)
    {
        var result = new Arguments();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a == "--")
            {
                result.Positional.Add(a);
                continue;
            }
            string name = a[2..], value;
            int eq = name.IndexOf('=');
            if (eq >= 0)
            {
                (name, value) = (name[..eq], name[(eq + 1)..]);
                if (!options.Contains(name))
                    throw new UsageException($"unknown option '--{name}'");
                result._options[name] = value;
            }
            else if (flags.Contains(name))
                result._flags.Add(name);
            else if (options.Contains(name))
            {
                if (i + 1 >= args.Count)
                    throw new UsageException($"option '--{name}' needs a value");
                result._options[name] = args[++i];
            }
            else
                throw new UsageException($"unknown option '--{name}'");
        }
        return result;
    }

    public bool Flag(string name) => _flags.Contains(name);

    public string? Option(string name) => _options.GetValueOrDefault(name);

    public string RequiredOption(string name) => Option(name) ?? throw new UsageException($"option '--{name}' is required");

    public string SinglePositional(string what)
    {
        if (Positional.Count != 1)
            throw new UsageException(Positional.Count == 0 ? $"{what} is required" : $"expected one {what}, got {Positional.Count} arguments");
        return Positional[0];
    }
}
