using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using GlmRuntime.Tokenization;

namespace GlmRuntime.Benchmarks.Tokenization;

/// <summary>
/// Encode throughput of <see cref="GlmTokenizer"/> on the concatenated golden corpus and on ~1 MB of mixed
/// English/code/CJK text. The word cache is warm after the first operation, as in steady-state serving;
/// the MB/s column divides the input's UTF-8 size by the mean time.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class TokenizerEncodeBenchmarks
{
    private GlmTokenizer _tokenizer = null!;
    private string _golden = "";
    private string _mixed = "";

    /// <summary>The tokenizer folder under ../shared/testdata/tokenizers.</summary>
    [Params("deepseek-v3", "glm-style")]
    public string Folder { get; set; } = "";

    /// <summary>Loads the tokenizer and builds the inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _tokenizer = GlmTokenizer.FromFile(Path.Combine(BenchmarkPaths.Tokenizers, Folder));
        _golden = TokenizerBenchmarkCorpus.Golden(Folder);
        _mixed = TokenizerBenchmarkCorpus.Mixed();
        Console.WriteLine($"// {Folder}: golden corpus {Encoding.UTF8.GetByteCount(_golden)} bytes -> {_tokenizer.Encode(_golden).Length} tokens; " +
                          $"mixed text {Encoding.UTF8.GetByteCount(_mixed)} bytes -> {_tokenizer.Encode(_mixed).Length} tokens");
    }

    /// <summary>Encodes every golden text, concatenated.</summary>
    [Benchmark]
    public int EncodeGoldenCorpus() => _tokenizer.Encode(_golden).Length;

    /// <summary>Encodes ~1 MB of mixed text.</summary>
    [Benchmark]
    public int EncodeMixedText() => _tokenizer.Encode(_mixed).Length;

    /// <summary>UTF-8 size of a benchmark's input, for the MB/s column.</summary>
    internal static long InputBytes(string benchmarkName, string folder) => benchmarkName switch
    {
        nameof(EncodeGoldenCorpus) => Encoding.UTF8.GetByteCount(TokenizerBenchmarkCorpus.Golden(folder)),
        nameof(EncodeMixedText) => Encoding.UTF8.GetByteCount(TokenizerBenchmarkCorpus.Mixed()),
        _ => 0,
    };

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new MegabytesPerSecondColumn());
    }
}
