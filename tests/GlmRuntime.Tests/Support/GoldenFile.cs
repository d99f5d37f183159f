using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using GlmRuntime.Checkpoints;

namespace GlmRuntime.Tests.Support;

/// <summary>One model folder's golden.safetensors + golden.json (written by Hugging Face transformers, read only).</summary>
internal sealed partial class GoldenFile : IDisposable
{
    private readonly SafetensorsFile _file;

    private GoldenFile(string modelName)
    {
        ModelDirectory = SharedData.PathOf("models", modelName);
        _file = SafetensorsFile.Open(SharedData.PathOf("models", modelName, "golden.safetensors"));
        // Python's json writes Infinity/NaN bare (e.g. an unbounded margin); System.Text.Json rejects them.
        string text = NonFiniteLiteral().Replace(File.ReadAllText(SharedData.PathOf("models", modelName, "golden.json")), "null");
        using var json = JsonDocument.Parse(text);
        PromptCount = json.RootElement.GetProperty("prompts").GetArrayLength();
        Tolerances = json.RootElement.GetProperty("tolerances").Clone();
    }

    public string ModelDirectory { get; }

    public int PromptCount { get; }

    public JsonElement Tolerances { get; }

    public double Tolerance(string key) => Tolerances.GetProperty(key).GetDouble();

    public static GoldenFile Open(string modelName) => new(modelName);

    public bool Contains(string name) => _file.Tensors.ContainsKey(name);

    public float[] Floats(string name) => MemoryMarshal.Cast<byte, float>(_file.GetBytes(_file.GetInfo(name))).ToArray();

    public int[] Ints(string name) => MemoryMarshal.Cast<byte, int>(_file.GetBytes(_file.GetInfo(name))).ToArray();

    public long[] Shape(string name) => _file.GetInfo(name).Shape.ToArray();

    public void Dispose() => _file.Dispose();

    [GeneratedRegex(@"(?<=[:\[,]\s*)-?(Infinity|NaN)\b")]
    private static partial Regex NonFiniteLiteral();
}
