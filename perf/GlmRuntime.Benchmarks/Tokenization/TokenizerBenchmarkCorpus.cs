using System.Text;
using System.Text.Json;

namespace GlmRuntime.Benchmarks.Tokenization;

/// <summary>The texts the tokenizer benchmarks encode; deterministic, so every process builds the same bytes.</summary>
internal static class TokenizerBenchmarkCorpus
{
    private static readonly string[] EnglishWords =
    [
        "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "with", "was", "on", "be", "by", "this", "are", "from",
        "model", "tokenizer", "inference", "serving", "request", "latency", "throughput", "cache", "memory", "kernel",
        "attention", "expert", "router", "layer", "sparse", "weights", "quantized", "prompt", "response", "streaming",
        "however", "because", "although", "efficient", "performance", "benchmark", "measured", "results", "significantly",
        "GPU", "CPU", "batch", "decode", "prefill", "tokens", "per", "second", "we", "our", "can't", "doesn't", "it's",
    ];

    private static readonly string[] CodeSnippets =
    [
        "for (int i = 0; i < count; ++i)\n{\n    sum += values[i] * weights[i];\n}\n",
        "def forward(self, hidden_states, attention_mask=None):\n    residual = hidden_states\n    return self.mlp(self.norm(hidden_states)) + residual\n",
        "{\"model\": \"glm-5\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello!\"}], \"temperature\": 0.7}\n",
        "if err != nil {\n\treturn nil, fmt.Errorf(\"load %s: %w\", path, err)\n}\n",
        "public static int Add(int a, int b) => a + b; // 42\n",
    ];

    private static readonly string[] CjkPhrases =
    [
        "机器学习", "大语言模型", "推理服务", "注意力机制", "的", "是", "我们", "可以", "使用", "这个", "模型", "在", "中文", "文本",
        "こんにちは", "世界", "東京", "ありがとう", "トークナイザー", "한국어", "문장", "입니다",
    ];

    private static readonly string[] Emoji = ["😀", "👍🏽", "🇺🇸", "🚀", "✨"];

    /// <summary>The <c>text</c> of every golden.jsonl line of a tokenizer folder, joined with newlines.</summary>
    public static string Golden(string folder)
    {
        string path = Path.Combine(BenchmarkPaths.Tokenizers, folder, "golden.jsonl");
        return string.Join('\n', File.ReadLines(path)
            .Where(line => line.Length > 0)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()));
    }

    /// <summary>About 1 MB (UTF-8) of English prose, code and CJK with some digits and emoji.</summary>
    public static string Mixed()
    {
        var random = new Random(20240601);
        var text = new StringBuilder(1_100_000);
        int bytes = 0;
        while (bytes < 1_000_000)
        {
            int start = text.Length;
            int kind = random.Next(10);
            if (kind < 6)
                AppendEnglish(text, random);
            else if (kind < 8)
                text.Append(CodeSnippets[random.Next(CodeSnippets.Length)]);
            else
                AppendCjk(text, random);
            bytes += Encoding.UTF8.GetByteCount(text.ToString(start, text.Length - start));
        }
        return text.ToString();
    }

    private static void AppendEnglish(StringBuilder text, Random random)
    {
        int words = random.Next(8, 30);
        for (int i = 0; i < words; i++)
        {
            string word = EnglishWords[random.Next(EnglishWords.Length)];
            text.Append(i == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word);
            text.Append(random.Next(12) switch { 0 => ", ", 1 => " " + random.Next(2030) + " ", _ => " " });
        }
        text.Append(random.Next(20) == 0 ? Emoji[random.Next(Emoji.Length)] + "\n\n" : ". ");
    }

    private static void AppendCjk(StringBuilder text, Random random)
    {
        int phrases = random.Next(4, 16);
        for (int i = 0; i < phrases; i++)
            text.Append(CjkPhrases[random.Next(CjkPhrases.Length)]);
        text.Append(random.Next(3) == 0 ? "，" : "。\n");
    }
}
