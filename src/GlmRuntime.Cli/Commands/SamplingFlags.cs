namespace GlmRuntime.Cli.Commands;

/// <summary>
/// The sampling options of <c>glm generate</c>'s command line. Each one that is given replaces the model's default
/// (<see cref="GlmEngine.DefaultSamplingParams"/>); with <c>--requests</c> they are the defaults of every line.
/// </summary>
internal sealed record SamplingFlags(int? MaxTokens, double? Temperature, double? TopP, int? TopK, long? Seed, bool IgnoreEos)
{
    /// <summary>Option names that take a value (<c>--ignore-eos</c> is a flag).</summary>
    public static readonly string[] OptionNames = ["max-tokens", "temperature", "top-p", "top-k", "seed"];

    /// <summary>Reads and range-checks the options, so a message names the command-line option rather than a property.</summary>
    public static SamplingFlags Parse(Arguments a)
    {
        var flags = new SamplingFlags(a.IntOption("max-tokens"), a.DoubleOption("temperature"), a.DoubleOption("top-p"),
            a.IntOption("top-k"), a.LongOption("seed"), a.Flag("ignore-eos"));
        // The same ranges SamplingParams.Validate enforces.
        if (flags.MaxTokens is < 1)
            throw new UsageException($"option '--max-tokens' must be at least 1, got {flags.MaxTokens}");
        if (flags.Temperature is < 0)
            throw new UsageException($"option '--temperature' must be ≥ 0, got {flags.Temperature}");
        if (flags.TopP is { } p && !(p > 0 && p <= 1))
            throw new UsageException($"option '--top-p' must be in (0, 1], got {p}");
        return flags;
    }

    /// <summary>The given options on top of <paramref name="defaults"/>.</summary>
    public SamplingParams ApplyTo(SamplingParams defaults) => defaults with
    {
        MaxTokens = MaxTokens ?? defaults.MaxTokens,
        Temperature = Temperature ?? defaults.Temperature,
        TopP = TopP ?? defaults.TopP,
        TopK = TopK ?? defaults.TopK,
        Seed = Seed ?? defaults.Seed,
        IgnoreEos = IgnoreEos || defaults.IgnoreEos,
    };
}
