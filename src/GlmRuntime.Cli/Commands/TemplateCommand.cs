using System.Text.Json;
using GlmRuntime.Chat;
using GlmRuntime.Tokenization;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// <c>glm template --tokenizer PATH</c>: JSON lines <c>{"messages": [...], "add_generation_prompt": ..., ...}</c>
/// → <c>{"rendered": "..."}</c>, with the checkpoint's chat_template or, when it ships none, the built-in
/// GLM-5 format. bos_token / eos_token default to tokenizer_config.json's values.
/// </summary>
internal static class TemplateCommand
{
    public const string Usage = "glm template --tokenizer PATH  < lines of {\"messages\": [...], \"add_generation_prompt\": true, ...}";

    public static int Run(IReadOnlyList<string> args, TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        var a = Arguments.Parse(args, options: ["tokenizer"], flags: []);
        if (a.Positional.Count > 0)
            throw new UsageException($"unexpected argument '{a.Positional[0]}'");
        string path = a.RequiredOption("tokenizer");
        // The tokenizer resolves the folder and the template's precedence (chat_template.jinja over the config's).
        TokenizerConfig? config = GlmTokenizer.FromFile(path).Config;
        ChatTemplate? template = config?.ChatTemplate is { } source ? ChatTemplate.Parse(source, path + ":chat_template") : null;

        return JsonLines.Process(input, output, cancellationToken, (line, writer) =>
        {
            JsonElement variables = WithSpecialTokens(line, config);
            string rendered = template is null ? Glm5ChatFormat.Render(variables) : template.Render(variables);
            writer.WriteStartObject();
            writer.WriteString("rendered", rendered);
            writer.WriteEndObject();
        });
    }

    /// <summary>Adds bos_token / eos_token from tokenizer_config.json unless the line sets them (as transformers does).</summary>
    private static JsonElement WithSpecialTokens(JsonElement line, TokenizerConfig? config)
    {
        var node = System.Text.Json.Nodes.JsonObject.Create(line)!;
        if (config?.BosToken is { } bos && !node.ContainsKey("bos_token"))
            node["bos_token"] = bos;
        if (config?.EosToken is { } eos && !node.ContainsKey("eos_token"))
            node["eos_token"] = eos;
        return JsonSerializer.SerializeToElement(node);
    }
}
