using System.Text.Json;

namespace GlmRuntime.Checkpoints;

/// <summary>
/// The safetensors files of a Hugging Face model folder: <c>model.safetensors</c>, or the shards named by
/// <c>model.safetensors.index.json</c>. Every shard is mapped, validated and cross-checked with the index;
/// tensor bytes stay in the mappings until the checkpoint is disposed.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    /// <summary>The single-file checkpoint name.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The shard index name.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly List<SafetensorsFile> _files;
    private readonly Dictionary<string, (SafetensorsFile File, TensorInfo Info)> _tensors;

    private Checkpoint(string directory, List<SafetensorsFile> files, Dictionary<string, (SafetensorsFile, TensorInfo)> tensors)
    {
        Directory = directory;
        _files = files;
        _tensors = tensors;
    }

    /// <summary>The model folder.</summary>
    public string Directory { get; }

    /// <summary>The mapped files, in shard order.</summary>
    public IReadOnlyList<SafetensorsFile> Files => _files;

    /// <summary>All tensor names, in file and header order.</summary>
    public IEnumerable<string> TensorNames => _tensors.Keys;

    /// <summary>Number of tensors over all shards.</summary>
    public int TensorCount => _tensors.Count;

    /// <summary>Total bytes of the files on disk.</summary>
    public long FileBytes => _files.Sum(f => f.Header.DataStart + f.DataLength);

    /// <summary>Opens a model folder's safetensors files.</summary>
    /// <exception cref="CheckpointException">No checkpoint file, a malformed shard or index, or an index that disagrees with the shards.</exception>
    public static Checkpoint Open(string directory, CancellationToken cancellationToken = default) =>
        Open(directory, SafetensorsDataPlacement.Mapped, cancellationToken);

    /// <summary>Opens a model folder's safetensors files with their data placed as <paramref name="placement"/> says.</summary>
    /// <exception cref="CheckpointException">No checkpoint file, a malformed shard or index, or an index that disagrees with the shards.</exception>
    public static Checkpoint Open(string directory, SafetensorsDataPlacement placement, CancellationToken cancellationToken = default)
    {
        directory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(directory))
            throw new CheckpointException("model folder not found", directory);
        string index = Path.Combine(directory, IndexFileName);
        string single = Path.Combine(directory, SingleFileName);
        if (File.Exists(index))
            return OpenSharded(directory, index, placement, cancellationToken);
        if (File.Exists(single))
        {
            var file = SafetensorsFile.Open(single, placement);
            return new Checkpoint(directory, [file], file.Tensors.ToDictionary(p => p.Key, p => (file, p.Value), StringComparer.Ordinal));
        }
        throw new CheckpointException($"neither {SingleFileName} nor {IndexFileName} is present", directory);
    }

    /// <summary>True when the checkpoint holds <paramref name="name"/>.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>Looks a tensor up.</summary>
    public bool TryGet(string name, out SafetensorsFile file, out TensorInfo info)
    {
        if (_tensors.TryGetValue(name, out var entry))
        {
            (file, info) = entry;
            return true;
        }
        file = null!;
        info = null!;
        return false;
    }

    /// <summary>The header entry of a tensor; throws naming the tensor when absent.</summary>
    public TensorInfo GetInfo(string name) =>
        _tensors.TryGetValue(name, out var entry) ? entry.Info : throw new CheckpointException("tensor not found in the checkpoint", Directory, name);

    /// <summary>Unmaps every shard.</summary>
    public void Dispose()
    {
        foreach (var file in _files)
            file.Dispose();
    }

    private static Checkpoint OpenSharded(string directory, string indexPath, SafetensorsDataPlacement placement, CancellationToken cancellationToken)
    {
        Dictionary<string, string> weightMap = ReadIndex(indexPath);
        var files = new List<SafetensorsFile>();
        var tensors = new Dictionary<string, (SafetensorsFile, TensorInfo)>(StringComparer.Ordinal);
        try
        {
            foreach (string shard in weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (shard.Contains('/') || shard.Contains('\\') || shard is "." or "..")
                    throw new CheckpointException($"weight_map names shard '{shard}', which is not a plain file name in the model folder", indexPath);
                string shardPath = Path.Combine(directory, shard);
                if (!File.Exists(shardPath))
                    throw new CheckpointException($"weight_map names shard '{shard}', which does not exist", indexPath);
                var file = SafetensorsFile.Open(shardPath, placement);
                files.Add(file);
                foreach (var (name, info) in file.Tensors)
                {
                    if (!weightMap.TryGetValue(name, out string? mapped))
                        throw new CheckpointException($"tensor is in shard '{shard}' but missing from the index's weight_map", indexPath, name);
                    if (mapped != shard)
                        throw new CheckpointException($"tensor is in shard '{shard}' but the index maps it to '{mapped}'", indexPath, name);
                    tensors.Add(name, (file, info));
                }
            }
            foreach (var (name, shard) in weightMap)
            {
                if (!tensors.ContainsKey(name))
                    throw new CheckpointException($"the index maps the tensor to '{shard}', which does not contain it", indexPath, name);
            }
            return new Checkpoint(directory, files, tensors);
        }
        catch
        {
            foreach (var file in files)
                file.Dispose();
            throw;
        }
    }

    private static Dictionary<string, string> ReadIndex(string indexPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new CheckpointException("the index has no 'weight_map' object", indexPath);
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in map.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                    throw new CheckpointException($"weight_map entry is {p.Value.ValueKind}, not a shard file name", indexPath, p.Name);
                if (!result.TryAdd(p.Name, p.Value.GetString()!))
                    throw new CheckpointException("weight_map lists the tensor twice", indexPath, p.Name);
            }
            return result;
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"the index is not valid JSON: {e.Message}", indexPath, innerException: e);
        }
    }
}
