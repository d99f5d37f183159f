using System.Globalization;
using GlmRuntime;

namespace GlmChat;

/// <summary>
/// The console chat's command line. Sampling options left out keep the model's own defaults
/// (<see cref="GlmEngine.DefaultSamplingParams"/>, from generation_config.json).
/// </summary>
internal sealed record ChatOptions
{
    public const string Usage =
        "usage: GlmChat [--model DIR] [--max-tokens N] [--temperature T] [--top-p P] [--top-k K] [--seed S] [--system TEXT] [--no-think]\n" +
        "  without --model, a tiny demo model with random weights is created in a cache folder and used";

    /// <summary>A checkpoint folder; null runs the built-in demo model.</summary>
    public string? ModelDirectory { get; init; }

    /// <summary><c>--max-tokens</c>: most tokens per answer.</summary>
    public int? MaxTokens { get; init; }

    /// <summary><c>--temperature</c>: 0 is greedy.</summary>
    public double? Temperature { get; init; }

    /// <summary><c>--top-p</c>: nucleus mass in (0, 1].</summary>
    public double? TopP { get; init; }

    /// <summary><c>--top-k</c>: ≤ 0 is off.</summary>
    public int? TopK { get; init; }

    /// <summary><c>--seed</c>: makes the answers repeatable.</summary>
    public long? Seed { get; init; }

    /// <summary>A system message that starts every conversation (and survives /reset).</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>Open the answer with &lt;think&gt; (GLM-5's default) or skip the reasoning (<c>--no-think</c>).</summary>
    public bool Thinking { get; init; } = true;

    /// <summary><c>-h</c> / <c>--help</c>.</summary>
    public bool ShowHelp { get; init; }

    /// <summary>Parses the arguments; <c>--name value</c> and <c>--name=value</c> both work.</summary>
    /// <exception cref="ArgumentException">An unknown option, a missing or malformed value, or a value out of range; the message names the option.</exception>
    public static ChatOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ChatOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string name = arg;
            string? inline = null;
            int eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
                (name, inline) = (arg[..eq], arg[(eq + 1)..]);
            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new ArgumentException($"option '{name}' needs a value"));
            options = name switch
            {
                "--model" => options with { ModelDirectory = Value() },
                "--max-tokens" => options with { MaxTokens = Int(name, Value(), min: 1) },
                "--temperature" => options with { Temperature = Number(name, Value(), x => x >= 0, "≥ 0") },
                "--top-p" => options with { TopP = Number(name, Value(), x => x > 0 && x <= 1, "in (0, 1]") },
                "--top-k" => options with { TopK = Int(name, Value(), min: int.MinValue) },
                "--seed" => options with { Seed = Long(name, Value()) },
                "--system" => options with { SystemPrompt = Value() },
                "--no-think" when inline is null => options with { Thinking = false },
                "-h" or "--help" when inline is null => options with { ShowHelp = true },
                _ => throw new ArgumentException($"unknown option '{arg}'"),
            };
        }
        return options;
    }

    /// <summary>The model's defaults with the options given on the command line on top.</summary>
    public SamplingParams ApplyTo(SamplingParams defaults) => defaults with
    {
        MaxTokens = MaxTokens ?? defaults.MaxTokens,
        Temperature = Temperature ?? defaults.Temperature,
        TopP = TopP ?? defaults.TopP,
        TopK = TopK ?? defaults.TopK,
        Seed = Seed ?? defaults.Seed,
    };

    private static int Int(string name, string value, int min)
    {
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n))
            throw Malformed(name, value, "an integer");
        return n >= min ? n : throw new ArgumentException($"option '{name}' must be at least {min}, got {n}");
    }

    private static long Long(string name, string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) ? n : throw Malformed(name, value, "an integer");

    private static double Number(string name, string value, Func<double, bool> valid, string range)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !double.IsFinite(x))
            throw Malformed(name, value, "a number");
        return valid(x) ? x : throw new ArgumentException($"option '{name}' must be {range}, got {value}");
    }

    private static ArgumentException Malformed(string name, string value, string what) =>
        new($"option '{name}' expects {what}, got '{value}'");
}
