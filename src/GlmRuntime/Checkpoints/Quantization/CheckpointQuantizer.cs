using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using GlmRuntime.Tensors;

namespace GlmRuntime.Checkpoints.Quantization;

/// <summary>
/// Quantizes a BF16 (or FP8) Hugging Face checkpoint into a complete MXFP4 checkpoint in AMD Quark's export layout,
/// or into GLM-5-FP8's block-scaled FP8 (MXFP4.md §1.5, §2a): tensor by tensor, rows in parallel, writing shards as
/// they fill so that at most one output shard is held in memory (the source stays memory-mapped).
/// </summary>
/// <remarks>
/// MXFP4 follows Quark's own export bit for bit: the "even" shared exponent, round half to even, +0 for values
/// that round to zero, scale 0x01 for an all-zero block, and a partial last block when K is not a multiple of 32
/// (<see cref="Mxfp4.QuantizeRowQuark"/>). Which tensors are Linear weights is read from the checkpoint: every
/// two-dimensional <c>*.weight</c> except the embeddings. Other files of the folder (tokenizer, generation config,
/// chat template) are copied.
/// </remarks>
public static class CheckpointQuantizer
{
    /// <summary>Quantizes <paramref name="modelDirectory"/> into <paramref name="outputDirectory"/>.</summary>
    /// <param name="modelDirectory">A checkpoint folder with config.json and safetensors.</param>
    /// <param name="outputDirectory">A new or empty folder.</param>
    /// <param name="options">Format, exclusions, shard size, threads.</param>
    /// <param name="progress">Told after each tensor.</param>
    /// <param name="cancellationToken">Stops between rows; the partial output files are removed.</param>
    /// <exception cref="CheckpointException">The source is missing, malformed or already quantized; the message names the file or tensor.</exception>
    /// <exception cref="IOException">The output folder is not empty, or a file cannot be written.</exception>
    /// <exception cref="ArgumentException">An option is invalid (the parameter names it), or an exclusion pattern is not a valid regular expression.</exception>
    public static Task<QuantizeReport> QuantizeAsync(string modelDirectory, string outputDirectory, QuantizeOptions? options = null,
        IProgress<QuantizeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelDirectory);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        options ??= new QuantizeOptions();
        options.Validate();
        return Task.Run(() => Quantize(Path.GetFullPath(modelDirectory), Path.GetFullPath(outputDirectory), options, progress, cancellationToken),
            cancellationToken);
    }

    private static QuantizeReport Quantize(string source, string output, QuantizeOptions options, IProgress<QuantizeProgress>? progress,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        string configPath = Path.Combine(source, "config.json");
        if (!File.Exists(configPath))
            throw new CheckpointException($"'{source}' has no config.json; it is not a Hugging Face checkpoint folder.");
        var config = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject
            ?? throw new CheckpointException($"'{configPath}' is not a JSON object.");
        int mainLayers = (int?)config["num_hidden_layers"] ?? throw new CheckpointException($"'{configPath}' has no num_hidden_layers.");
        PrepareOutput(source, output);

        using var checkpoint = Checkpoint.Open(source, cancellationToken);
        var plan = QuantizationPlan.Create(checkpoint, mainLayers, options);
        var shards = new ShardSink(output, options.MaxShardBytes);
        long sourceBytes = 0, peakManaged = 0;
        int done = 0, total = plan.Tensors.Count;
        try
        {
            var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = options.Threads ?? Environment.ProcessorCount };
            foreach (PlannedTensor tensor in plan.Tensors)
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var (name, dtype, shape, data) in Convert(checkpoint, tensor, options.Format, parallel))
                    shards.Add(name, dtype, shape, data);
                sourceBytes += tensor.SourceBytes;
                peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                progress?.Report(new QuantizeProgress(tensor.Name, ++done, total, sourceBytes));
            }
            int shardCount = shards.Complete();
            WriteConfig(config, output, options.Format, plan.ExcludedModules);
            CopyOtherFiles(source, output);
            using var process = Process.GetCurrentProcess();
            return new QuantizeReport(plan.QuantizedModuleCount, plan.ExcludedModules, sourceBytes, shards.BytesWritten, shardCount,
                started.Elapsed, process.PeakWorkingSet64, peakManaged);
        }
        catch
        {
            shards.Abandon();
            throw;
        }
    }

    /// <summary>The output tensors of one source tensor: quantized pair, BF16 (dequantized FP8 of an excluded module), or a copy.</summary>
    private static List<(string Name, DType DType, long[] Shape, byte[] Data)> Convert(Checkpoint checkpoint, PlannedTensor tensor,
        QuantizationFormat format, ParallelOptions parallel)
    {
        checkpoint.TryGet(tensor.Name, out SafetensorsFile file, out TensorInfo info);
        switch (tensor.Action)
        {
            case TensorAction.Copy:
                return [(info.Name, info.DType, info.Shape, file.GetBytes(info).ToArray())];
            case TensorAction.Drop:
                return [];
        }

        int n = (int)info.Shape[0], k = (int)info.Shape[1];
        var rows = new RowSource(checkpoint, file, info, tensor.Fp8ScaleName, k);
        string module = tensor.Name[..^".weight".Length];
        if (tensor.Action == TensorAction.ToBFloat16)
        {
            var bits = new ushort[(long)n * k];
            Parallel.For(0, n, parallel, () => new float[k], (r, _, row) =>
            {
                rows.Read(r, row);
                for (int i = 0; i < k; i++)
                    bits[(long)r * k + i] = BFloat16Bits.FromSingle(row[i]);
                return row;
            }, _ => { });
            return [(info.Name, DType.BF16, [n, k], MemoryMarshal.AsBytes(bits.AsSpan()).ToArray())];
        }
        else if (format == QuantizationFormat.Mxfp4)
        {
            int rowBytes = Mxfp4.PackedRowBytes(k), rowScales = Mxfp4.ScalesPerRow(k);
            var packed = new byte[(long)n * rowBytes];
            var scales = new byte[(long)n * rowScales];
            Parallel.For(0, n, parallel, () => new float[k], (r, _, row) =>
            {
                rows.Read(r, row);
                Mxfp4.QuantizeRowQuark(row, packed.AsSpan(r * rowBytes, rowBytes), scales.AsSpan(r * rowScales, rowScales));
                return row;
            }, _ => { });
            return [(info.Name, DType.U8, [n, rowBytes], packed), (module + ".weight_scale", DType.U8, [n, rowScales], scales)];
        }
        else
        {
            const int tile = 128;
            int tilesN = Fp8BlockQuantizer.TileCount(n, tile), tilesK = Fp8BlockQuantizer.TileCount(k, tile);
            var quantized = new byte[(long)n * k];
            var scaleInv = new float[tilesN * tilesK];
            // One band of 128 rows per work item: a tile's scale needs all of its rows.
            Parallel.For(0, tilesN, parallel, band =>
            {
                int r0 = band * tile, count = Math.Min(tile, n - r0);
                var values = new float[count * k];
                for (int r = 0; r < count; r++)
                    rows.Read(r0 + r, values.AsSpan(r * k, k));
                Fp8BlockQuantizer.Quantize(values, count, k, tile, quantized.AsSpan(r0 * k, count * k), scaleInv.AsSpan(band * tilesK, tilesK));
            });
            return [(info.Name, DType.F8E4M3, [n, k], quantized),
                (module + ".weight_scale_inv", DType.F32, [tilesN, tilesK], MemoryMarshal.AsBytes(scaleInv.AsSpan()).ToArray())];
        }
    }

    private static void PrepareOutput(string source, string output)
    {
        if (string.Equals(Path.TrimEndingDirectorySeparator(source), Path.TrimEndingDirectorySeparator(output), StringComparison.Ordinal))
            throw new IOException($"The output folder '{output}' is the source folder; choose another.");
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new IOException($"The output folder '{output}' is not empty; it is never overwritten.");
        Directory.CreateDirectory(output);
    }

    private static void WriteConfig(JsonObject config, string output, QuantizationFormat format, IReadOnlyList<string> excluded)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            if (format == QuantizationFormat.Mxfp4)
                QuantizationConfigWriter.WriteQuark(w, excluded);
            else
                QuantizationConfigWriter.WriteFp8(w, excluded);
        }
        config["quantization_config"] = JsonNode.Parse(buffer.ToArray());
        File.WriteAllText(Path.Combine(output, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Everything but the weights and config.json: tokenizer files, generation_config.json, chat template, README.</summary>
    private static void CopyOtherFiles(string source, string output)
    {
        foreach (string file in Directory.EnumerateFiles(source))
        {
            string name = Path.GetFileName(file);
            if (name == "config.json" || name == Checkpoint.IndexFileName || name.EndsWith(".safetensors", StringComparison.Ordinal))
                continue;
            File.Copy(file, Path.Combine(output, name));
        }
    }

    /// <summary>Reads rows of a source weight as float32: BF16/F16/F32 exactly, FP8 dequantized with its tile scales.</summary>
    private sealed class RowSource(Checkpoint checkpoint, SafetensorsFile file, TensorInfo info, string? fp8ScaleName, int k)
    {
        private readonly float[]? _scales = fp8ScaleName is null ? null : ReadScales(checkpoint, fp8ScaleName);
        private readonly int _tilesK = Fp8BlockQuantizer.TileCount(k, 128);

        public void Read(int row, Span<float> destination)
        {
            int size = DTypes.SizeOf(info.DType);
            // The file was looked up once for the tensor; rows skip GetBytes' ownership lookup.
            ReadOnlySpan<byte> bytes = file.SliceOf(info, (long)row * k * size, k * size);
            switch (info.DType)
            {
                case DType.BF16:
                    BFloat16Bits.ToSingle(MemoryMarshal.Cast<byte, ushort>(bytes), destination);
                    break;
                case DType.F32:
                    MemoryMarshal.Cast<byte, float>(bytes).CopyTo(destination);
                    break;
                case DType.F16:
                    var halves = MemoryMarshal.Cast<byte, Half>(bytes);
                    for (int i = 0; i < k; i++)
                        destination[i] = (float)halves[i];
                    break;
                case DType.F8E4M3:
                    Fp8BlockQuantizer.DequantizeRow(bytes, _scales.AsSpan(row / 128 * _tilesK, _tilesK), 128, destination);
                    break;
                default:
                    throw new CheckpointException($"Tensor '{info.Name}' is {info.DType}; only BF16, F16, F32 and FP8 weights can be quantized.");
            }
        }

        private static float[] ReadScales(Checkpoint checkpoint, string name)
        {
            checkpoint.TryGet(name, out SafetensorsFile file, out TensorInfo scales);
            if (scales.DType != DType.F32)
                throw new CheckpointException($"Tensor '{name}' is {scales.DType}; FP8 block scales must be F32.");
            return MemoryMarshal.Cast<byte, float>(file.GetBytes(scales)).ToArray();
        }
    }
}
