using System.Globalization;

namespace GlmRuntime.Cli;

/// <summary>A parsed command line: positional arguments, <c>--name value</c> options and <c>--flag</c> switches.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _repeated = new(StringComparer.Ordinal);

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
                result.Set(name, value);
            }
            else if (flags.Contains(name))
                result._flags.Add(name);
            else if (options.Contains(name))
            {
                if (i + 1 >= args.Count)
                    throw new UsageException($"option '--{name}' needs a value");
                result.Set(name, args[++i]);
            }
            else
                throw new UsageException($"unknown option '--{name}'");
        }
        return result;
    }

    public bool Flag(string name) => _flags.Contains(name);

    /// <summary>Every value of an option that may be given more than once, in order; each may also be a comma list.</summary>
    public IReadOnlyList<string> Values(string name) =>
        _repeated.TryGetValue(name, out var values)
            ? values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
            : [];

    private void Set(string name, string value)
    {
        _options[name] = value; // the last one wins for single-valued options
        if (!_repeated.TryGetValue(name, out var values))
            _repeated[name] = values = [];
        values.Add(value);
    }

    public string? Option(string name) => _options.GetValueOrDefault(name);

    public string RequiredOption(string name) => Option(name) ?? throw new UsageException($"option '--{name}' is required");

    /// <summary>Fails on any positional argument (for commands that take options only).</summary>
    public void RejectPositional()
    {
        if (Positional.Count > 0)
            throw new UsageException($"unexpected argument '{Positional[0]}'");
    }

    /// <summary>An integer option, or null when absent; a malformed value fails naming the option.</summary>
    public int? IntOption(string name) =>
        Option(name) is not { } v ? null
        : int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n
        : throw new UsageException($"option '--{name}' expects an integer, got '{v}'");

    /// <summary>A 64-bit integer option, or null when absent.</summary>
    public long? LongOption(string name) =>
        Option(name) is not { } v ? null
        : long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) ? n
        : throw new UsageException($"option '--{name}' expects an integer, got '{v}'");

    /// <summary>A finite number option, or null when absent.</summary>
    public double? DoubleOption(string name) =>
        Option(name) is not { } v ? null
        : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x) ? x
        : throw new UsageException($"option '--{name}' expects a number, got '{v}'");

    /// <summary>A comma-separated list of token ids (at least one, each ≥ 0), or null when absent.</summary>
    public int[]? IdsOption(string name)
    {
        if (Option(name) is not { } v)
            return null;
        string[] parts = v.Split(',', StringSplitOptions.TrimEntries);
        var ids = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out ids[i]))
                throw new UsageException($"option '--{name}' expects comma-separated token ids, got '{parts[i]}' at position {i}");
        }
        return ids;
    }

    /// <summary>Fails, naming the option, when an id is outside [0, <paramref name="vocabSize"/>).</summary>
    public static void CheckIdsInVocabulary(string name, int[] ids, int vocabSize)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)vocabSize)
                throw new UsageException($"option '--{name}': id {ids[i]} at position {i} is outside the vocabulary [0, {vocabSize})");
        }
    }

    public string SinglePositional(string what)
    {
        if (Positional.Count != 1)
            throw new UsageException(Positional.Count == 0 ? $"{what} is required" : $"expected one {what}, got {Positional.Count} arguments");
        return Positional[0];
    }
}
