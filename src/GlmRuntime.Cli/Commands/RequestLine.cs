using System.Text.Json;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// One request of a <c>glm generate --requests</c> file: its id (echoed in the output), exactly one of a text prompt
/// and token ids, and the sampling fields it sets; a null field falls back to the command line, then the model.
/// </summary>
/// <param name="LineNumber">1-based line of the file, for messages.</param>
/// <param name="Id">The <c>id</c> field as given: a JSON string or number (a detached element).</param>
internal sealed record RequestLine(int LineNumber, JsonElement Id)
{
    public string? Prompt { get; init; }

    public int[]? Ids { get; init; }

    public int? MaxTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public double? MinP { get; init; }

    public IReadOnlyList<string>? Stop { get; init; }

    public long? Seed { get; init; }

    public bool? IgnoreEos { get; init; }

    /// <summary>This line's fields on top of <paramref name="defaults"/> (the command line's sampling over the model's).</summary>
    public SamplingParams ApplyTo(SamplingParams defaults) => defaults with
    {
        MaxTokens = MaxTokens ?? defaults.MaxTokens,
        Temperature = Temperature ?? defaults.Temperature,
        TopP = TopP ?? defaults.TopP,
        TopK = TopK ?? defaults.TopK,
        MinP = MinP ?? defaults.MinP,
        Stop = Stop ?? defaults.Stop,
        Seed = Seed ?? defaults.Seed,
        IgnoreEos = IgnoreEos ?? defaults.IgnoreEos,
    };
}
