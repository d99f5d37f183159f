using System.Text.Json;
using GlmRuntime.Tokenization;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// <c>glm tokenize --tokenizer PATH [--decode] [--add-special-tokens] [--skip-special-tokens]</c>: JSON lines
/// <c>{"text": ...}</c> → <c>{"ids": [...]}</c>, or with <c>--decode</c> <c>{"ids": [...]}</c> → <c>{"text": ...}</c>.
/// </summary>
internal static class TokenizeCommand
{
    public const string Usage = "glm tokenize --tokenizer PATH [--decode] [--add-special-tokens] [--skip-special-tokens]  < lines of {\"text\"} or {\"ids\"}";

    public static int Run(IReadOnlyList<string> args, TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        var a = Arguments.Parse(args, options: ["tokenizer"], flags: ["decode", "add-special-tokens", "skip-special-tokens"]);
        if (a.Positional.Count > 0)
            throw new UsageException($"unexpected argument '{a.Positional[0]}'");
        GlmTokenizer tokenizer = GlmTokenizer.FromFile(a.RequiredOption("tokenizer"));
        bool decode = a.Flag("decode"), addSpecial = a.Flag("add-special-tokens"), skipSpecial = a.Flag("skip-special-tokens");
        return JsonLines.Process(input, output, cancellationToken, (line, writer) =>
        {
            writer.WriteStartObject();
            if (decode)
                writer.WriteString("text", tokenizer.Decode(ReadIds(line, tokenizer.VocabSize), skipSpecial));
            else
            {
                writer.WriteStartArray("ids");
                foreach (int id in tokenizer.Encode(JsonLines.RequiredString(line, "text"), addSpecial))
                    writer.WriteNumberValue(id);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        });
    }

    private static int[] ReadIds(JsonElement line, int vocabSize)
    {
        if (!line.TryGetProperty("ids", out var ids) || ids.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException("field 'ids' must be a list of token ids");
        var result = new int[ids.GetArrayLength()];
        int i = 0;
        foreach (var item in ids.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int id) || id < 0 || id >= vocabSize)
                throw new InvalidDataException($"ids[{i}] = {item.GetRawText()} is not a token id in [0, {vocabSize})");
            result[i++] = id;
        }
        return result;
    }
}
