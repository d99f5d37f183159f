using System.Text.Json;
using GlmRuntime.Tensors;

namespace GlmRuntime.Checkpoints.Quantization;

/// <summary>
/// Collects output tensors and writes a shard whenever the next tensor would pass the size limit, so that at most one
/// shard is in memory. At the end the shards get Hugging Face's names (<c>model.safetensors</c>, or
/// <c>model-00001-of-0000N.safetensors</c> with <c>model.safetensors.index.json</c>).
/// </summary>
internal sealed class ShardSink(string directory, long maxShardBytes)
{
    private readonly List<(string TempPath, List<string> Names)> _written = [];
    private SafetensorsWriter _current = NewWriter();
    private List<string> _currentNames = [];

    public long BytesWritten { get; private set; }

    public void Add(string name, DType dtype, long[] shape, byte[] data)
    {
        if (_currentNames.Count > 0 && _current.DataBytes + data.LongLength > maxShardBytes)
            Flush();
        _current.Add(name, dtype, shape, data);
        _currentNames.Add(name);
        BytesWritten += data.LongLength;
    }

    /// <summary>Writes the last shard, names the shards, writes the index when there are several; returns the count.</summary>
    public int Complete()
    {
        if (_currentNames.Count > 0 || _written.Count == 0)
            Flush();
        if (_written.Count == 1)
        {
            File.Move(_written[0].TempPath, Path.Combine(directory, Checkpoint.SingleFileName));
            return 1;
        }
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < _written.Count; i++)
        {
            string file = $"model-{i + 1:D5}-of-{_written.Count:D5}.safetensors";
            File.Move(_written[i].TempPath, Path.Combine(directory, file));
            foreach (string name in _written[i].Names)
                weightMap[name] = file;
        }
        var index = new Dictionary<string, object>
        {
            ["metadata"] = new Dictionary<string, long> { ["total_size"] = BytesWritten },
            ["weight_map"] = weightMap,
        };
        File.WriteAllText(Path.Combine(directory, Checkpoint.IndexFileName), JsonSerializer.Serialize(index, new JsonSerializerOptions { WriteIndented = true }));
        return _written.Count;
    }

    /// <summary>Removes what was written (after a failure or cancellation).</summary>
    public void Abandon()
    {
        foreach (var (path, _) in _written)
            File.Delete(path);
        _written.Clear();
    }

    private void Flush()
    {
        string path = Path.Combine(directory, $".quantize-shard-{_written.Count + 1}.partial");
        _current.Write(path);
        _written.Add((path, _currentNames));
        _current = NewWriter();
        _currentNames = [];
    }

    private static SafetensorsWriter NewWriter()
    {
        var writer = new SafetensorsWriter();
        writer.Metadata["format"] = "pt";
        return writer;
    }
}
