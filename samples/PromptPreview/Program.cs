// Shows what a model would receive for a conversation: the chat template's rendering, its token ids, and
// the ids decoded back one at a time through the streaming detokenizer (as generated text is streamed).
//
//   dotnet run --project samples/PromptPreview -- ../shared/testdata/tokenizers/glm-style "Hi there"
using GlmRuntime.Chat;
using GlmRuntime.Tokenization;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: PromptPreview TOKENIZER_DIR MESSAGE [MESSAGE ...]  (messages alternate user/assistant)");
    return 2;
}

GlmTokenizer tokenizer = GlmTokenizer.FromFile(args[0]);
var messages = args.Skip(1)
    .Select((text, i) => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
    {
        ["role"] = i % 2 == 0 ? "user" : "assistant",
        ["content"] = text,
    })
    .ToList();

// The checkpoint's own template when it ships one, else the built-in GLM-5 format.
string prompt = tokenizer.Config?.ChatTemplate is { } source
    ? ChatTemplate.Parse(source, "chat_template").Render(new Dictionary<string, object?>
    {
        ["messages"] = messages,
        ["add_generation_prompt"] = true,
        ["bos_token"] = tokenizer.Config.BosToken,
        ["eos_token"] = tokenizer.Config.EosToken,
    })
    : Glm5ChatFormat.Render(messages, addGenerationPrompt: true);

int[] ids = tokenizer.Encode(prompt);
Console.WriteLine($"prompt ({prompt.Length} chars):");
Console.WriteLine(prompt);
Console.WriteLine($"{ids.Length} tokens: [{string.Join(", ", ids)}]");

Console.Write("streamed back: ");
StreamingDetokenizer stream = tokenizer.CreateStreamingDetokenizer();
foreach (int id in ids)
    Console.Write(stream.Append(id));
Console.WriteLine(stream.Flush());
return 0;
