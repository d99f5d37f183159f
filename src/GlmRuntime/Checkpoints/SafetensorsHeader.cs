using System.Text.Unicode;
using System.Text.Json;
using GlmRuntime.Tensors;

namespace GlmRuntime.Checkpoints;

/// <summary>
/// Parses and validates a safetensors header: an 8-byte little-endian length, then that many bytes of
/// UTF-8 JSON mapping tensor names to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (offsets
/// relative to the data section) plus an optional <c>__metadata__</c> string map. Every entry is checked
/// against the data section's length before anything reads tensor bytes.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>Largest header accepted (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const int MaxRank = 16;

    private SafetensorsHeader(IReadOnlyDictionary<string, TensorInfo> tensors, IReadOnlyDictionary<string, string> metadata, long headerLength)
    {
        Tensors = tensors;
        Metadata = metadata;
        HeaderLength = headerLength;
    }

    /// <summary>Tensors by name, in header order.</summary>
    public IReadOnlyDictionary<string, TensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Length of the JSON header in bytes; the data section starts at 8 + this.</summary>
    public long HeaderLength { get; }

    /// <summary>Offset of the data section within the file.</summary>
    public long DataStart => 8 + HeaderLength;

    /// <summary>Reads the 8-byte header length and checks it against the file length.</summary>
    /// <exception cref="CheckpointException">The file is too short or the length is absurd.</exception>
    public static long ReadHeaderLength(ReadOnlySpan<byte> prefix, long fileLength, string file)
    {
        if (fileLength < 8 || prefix.Length < 8)
            throw new CheckpointException($"file is {fileLength} bytes, shorter than the 8-byte safetensors header length", file);
        ulong length = BitConverter.ToUInt64(prefix);
        if (!BitConverter.IsLittleEndian)
            length = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(length);
        if (length > MaxHeaderBytes)
            throw new CheckpointException($"header length {length} exceeds the {MaxHeaderBytes}-byte limit", file);
        if ((long)length > fileLength - 8)
            throw new CheckpointException($"header length {length} runs past the end of the file ({fileLength} bytes)", file);
        if (length < 2)
            throw new CheckpointException($"header length {length} is too short for a JSON object", file);
        return (long)length;
    }

    /// <summary>Parses the JSON header and validates every entry against a data section of <paramref name="dataLength"/> bytes.</summary>
    /// <exception cref="CheckpointException">Invalid UTF-8 or JSON, unknown dtype, bad shape, offsets out of range, overlapping or not matching the shape.</exception>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string file)
    {
        if (!Utf8.IsValid(json))
            throw new CheckpointException("header is not valid UTF-8", file);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"header is not valid JSON: {e.Message}", file, innerException: e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"header must be a JSON object, not {doc.RootElement.ValueKind}", file);
            var tensors = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            foreach (JsonProperty property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (sawMetadata)
                        throw new CheckpointException("header has two '__metadata__' entries", file);
                    sawMetadata = true;
                    ParseMetadata(property.Value, metadata, file);
                    continue;
                }
                if (tensors.ContainsKey(property.Name))
                    throw new CheckpointException("tensor appears twice in the header", file, property.Name);
                tensors.Add(property.Name, ParseEntry(property.Name, property.Value, dataLength, file));
            }
            CheckOverlaps(tensors.Values, file);
            return new SafetensorsHeader(tensors, metadata, json.Length);
        }
    }

    private static void ParseMetadata(JsonElement element, Dictionary<string, string> metadata, string file)
    {
        if (element.ValueKind == JsonValueKind.Null)
            return;
        if (element.ValueKind != JsonValueKind.Object)
            throw new CheckpointException("'__metadata__' must be an object of strings", file);
        foreach (JsonProperty p in element.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
                throw new CheckpointException($"'__metadata__.{p.Name}' must be a string, not {p.Value.ValueKind}", file);
            metadata[p.Name] = p.Value.GetString()!;
        }
    }

    private static TensorInfo ParseEntry(string name, JsonElement entry, long dataLength, string file)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            throw new CheckpointException($"entry must be an object, not {entry.ValueKind}", file, name);
        if (!entry.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new CheckpointException("missing or non-string 'dtype'", file, name);
        string dtypeName = dtypeElement.GetString()!;
        if (!DTypes.TryParseSafetensorsName(dtypeName, out DType dtype))
            throw new CheckpointException($"unknown dtype '{dtypeName}'", file, name);

        if (!entry.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new CheckpointException("missing or non-array 'shape'", file, name);
        int rank = shapeElement.GetArrayLength();
        if (rank > MaxRank)
            throw new CheckpointException($"shape has rank {rank}, more than {MaxRank}", file, name);
        var shape = new long[rank];
        long elements = 1;
        int i = 0;
        foreach (JsonElement dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d) || d < 0)
                throw new CheckpointException($"shape dimension {i} is not a non-negative integer ({dim.GetRawText()})", file, name);
            shape[i++] = d;
            try
            {
                elements = checked(elements * d);
            }
            catch (OverflowException)
            {
                throw new CheckpointException($"shape {shapeElement.GetRawText()} overflows a 64-bit element count", file, name);
            }
        }

        if (!entry.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new CheckpointException("missing 'data_offsets' or it is not a [begin, end] pair", file, name);
        JsonElement b = offsets[0], e = offsets[1];
        if (b.ValueKind != JsonValueKind.Number || !b.TryGetInt64(out long begin) || e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long end))
            throw new CheckpointException($"data_offsets {offsets.GetRawText()} are not 64-bit integers", file, name);
        if (begin < 0 || end < begin)
            throw new CheckpointException($"data_offsets [{begin}, {end}] are negative or reversed", file, name);
        if (end > dataLength)
            throw new CheckpointException($"data_offsets [{begin}, {end}] run past the data section ({dataLength} bytes; the file may be truncated)", file, name);
        long expected;
        try
        {
            expected = checked(elements * DTypes.SizeOf(dtype));
        }
        catch (OverflowException)
        {
            throw new CheckpointException($"byte count of shape {shapeElement.GetRawText()} overflows", file, name);
        }
        if (end - begin != expected)
            throw new CheckpointException(
                $"data_offsets [{begin}, {end}] hold {end - begin} bytes but {dtypeName} {TensorInfo.ShapeToText(shape)} needs {expected}", file, name);
        return new TensorInfo(name, dtype, shape, begin, end - begin);
    }

    private static void CheckOverlaps(IEnumerable<TensorInfo> tensors, string file)
    {
        TensorInfo? previous = null;
        foreach (TensorInfo t in tensors.Where(t => t.ByteLength > 0).OrderBy(t => t.DataOffset))
        {
            if (previous is not null && t.DataOffset < previous.DataOffset + previous.ByteLength)
                throw new CheckpointException(
                    $"data of '{t.Name}' [{t.DataOffset}, {t.DataOffset + t.ByteLength}) overlaps '{previous.Name}' [{previous.DataOffset}, {previous.DataOffset + previous.ByteLength})",
                    file, t.Name);
            previous = t;
        }
    }
}
