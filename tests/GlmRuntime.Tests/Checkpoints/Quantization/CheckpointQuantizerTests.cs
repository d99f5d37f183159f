using System.Text.Json;
using System.Text.Json.Nodes;
using GlmRuntime.Checkpoints;
using GlmRuntime.Checkpoints.Quantization;
using GlmRuntime.Tensors;
using GlmRuntime.Tests.Support;
using GlmRuntime.Weights;

namespace GlmRuntime.Tests.Checkpoints.Quantization;

/// <summary>
/// The checkpoint quantizer against AMD Quark's own export (tiny-glm5 → tiny-glm5-mxfp4, byte for byte), the
/// quant_vectors of both quantized folders, round trips through the loader, sharding, and bad inputs.
/// </summary>
[TestFixture]
public sealed class CheckpointQuantizerTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void Create() => _dir = new TempDirectory();

    [TearDown]
    public void Remove() => _dir.Dispose();

    private static string Model(string name) => SharedData.PathOf("models", name);

    private static Dictionary<string, (DType DType, long[] Shape, byte[] Bytes)> Tensors(string folder)
    {
        using var checkpoint = Checkpoint.Open(folder);
        return checkpoint.TensorNames.ToDictionary(n => n, n =>
        {
            checkpoint.TryGet(n, out var file, out var info);
            return (info.DType, info.Shape, file.GetBytes(info).ToArray());
        });
    }

    private static JsonObject QuantizationConfig(string folder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!["quantization_config"]!.AsObject();

    [Test]
    public async Task Quantizing_tiny_glm5_reproduces_quarks_export_byte_for_byte()
    {
        string output = _dir.File("mxfp4");
        var report = await CheckpointQuantizer.QuantizeAsync(Model("tiny-glm5"), output, new QuantizeOptions { Threads = 2 });

        var expected = Tensors(Model("tiny-glm5-mxfp4"));
        var actual = Tensors(output);
        Assert.That(actual.Keys.Order(), Is.EqualTo(expected.Keys.Order()));
        foreach (var (name, tensor) in expected)
        {
            Assert.That(actual[name].DType, Is.EqualTo(tensor.DType), name);
            Assert.That(actual[name].Shape, Is.EqualTo(tensor.Shape), name);
            Assert.That(actual[name].Bytes, Is.EqualTo(tensor.Bytes), name);
        }

        var expectedExclude = QuantizationConfig(Model("tiny-glm5-mxfp4"))["exclude"]!.AsArray().Select(e => (string)e!);
        var config = QuantizationConfig(output);
        Assert.That(config["exclude"]!.AsArray().Select(e => (string)e!), Is.EquivalentTo(expectedExclude));
        Assert.That((string?)config["quant_method"], Is.EqualTo("quark"));
        var weight = config["global_quant_config"]!["weight"]!;
        Assert.That(((string?)weight["dtype"], (int?)weight["group_size"], (string?)weight["scale_format"], (string?)weight["scale_calculation_mode"], (string?)weight["round_method"]),
            Is.EqualTo(("fp4", (int?)32, "e8m0", "even", "half_even")));
        Assert.That(report.QuantizedModuleCount, Is.EqualTo(78), "the folder's README: 78 Linear weights in MXFP4");
        Assert.That(report.ExcludedModules, Has.Count.EqualTo(expectedExclude.Count()));
        Assert.That(File.ReadAllText(Path.Combine(output, "generation_config.json")),
            Is.EqualTo(File.ReadAllText(Path.Combine(Model("tiny-glm5"), "generation_config.json"))), "other files are copied");
        Assert.That(report.SourceBytes, Is.GreaterThan(0));
        Assert.That(report.SourceGigabytesPerSecond, Is.GreaterThan(0));
    }

    /// <summary>A checkpoint holding only the vectors' BF16 sources as Linear weights.</summary>
    private string VectorSourceCheckpoint(SafetensorsFile vectors, IEnumerable<string> modules)
    {
        string folder = _dir.File("vectors-source");
        Directory.CreateDirectory(folder);
        var writer = new SafetensorsWriter();
        foreach (string module in modules)
        {
            var info = vectors.GetInfo(module + ".weight.bf16");
            writer.Add(module + ".weight", DType.BF16, info.Shape, vectors.GetBytes(info).ToArray());
        }
        writer.Write(Path.Combine(folder, Checkpoint.SingleFileName));
        File.WriteAllText(Path.Combine(folder, "config.json"), """{"num_hidden_layers": 1000}""");
        return folder;
    }

    [TestCase("tiny-glm5-mxfp4", QuantizationFormat.Mxfp4, ".weight_scale")]
    [TestCase("tiny-glm5-fp8", QuantizationFormat.Fp8, ".weight_scale_inv")]
    public async Task The_quant_vectors_come_out_byte_for_byte(string folder, QuantizationFormat format, string scaleSuffix)
    {
        using var vectors = SafetensorsFile.Open(SharedData.PathOf("models", folder, "quant_vectors.safetensors"));
        var modules = vectors.Tensors.Keys.Where(n => n.EndsWith(".weight.bf16", StringComparison.Ordinal)).Select(n => n[..^".weight.bf16".Length]).ToList();
        Assert.That(modules, Has.Count.GreaterThanOrEqualTo(4));
        string output = _dir.File("vectors-out");
        await CheckpointQuantizer.QuantizeAsync(VectorSourceCheckpoint(vectors, modules), output,
            new QuantizeOptions { Format = format, DefaultExclusions = false });
        var actual = Tensors(output);
        foreach (string module in modules)
        {
            foreach (string suffix in new[] { ".weight", scaleSuffix })
                Assert.That(actual[module + suffix].Bytes, Is.EqualTo(vectors.GetBytes(vectors.GetInfo(module + suffix)).ToArray()), module + suffix);
        }
    }

    [Test]
    public async Task A_quantized_checkpoint_loads_and_dequantizes_to_the_quantizers_own_values()
    {
        string output = _dir.File("mxfp4");
        await CheckpointQuantizer.QuantizeAsync(Model("tiny-glm5"), output);
        using var source = GlmWeights.Load(Model("tiny-glm5"));
        using var quantized = GlmWeights.Load(output);
        var sources = source.AllLinearWeights().ToDictionary(w => w.Name);
        int checkedModules = 0;
        foreach (var weight in quantized.AllLinearWeights().Where(w => w.Format == WeightFormat.Mxfp4))
        {
            // Independently: quantize each source row and dequantize it again.
            float[] values = sources[weight.Name].DequantizeAll();
            int n = weight.OutFeatures, k = weight.InFeatures;
            var expected = new float[n * k];
            var packed = new byte[Mxfp4.PackedRowBytes(k)];
            var scales = new byte[Mxfp4.ScalesPerRow(k)];
            for (int r = 0; r < n; r++)
            {
                Mxfp4.QuantizeRowQuark(values.AsSpan(r * k, k), packed, scales);
                Mxfp4.DequantizeRow(packed, scales, expected.AsSpan(r * k, k));
            }
            Assert.That(weight.DequantizeAll(), Is.EqualTo(expected), weight.Name);
            checkedModules++;
        }
        Assert.That(checkedModules, Is.EqualTo(78));

        await using var engine = await GlmEngine.LoadAsync(output);
        await using var reference = await GlmEngine.LoadAsync(Model("tiny-glm5-mxfp4"));
        int[] prompt = [3, 17, 42, 9, 100, 7];
        var greedy = SamplingParams.Greedy with { MaxTokens = 12 };
        Assert.That((await engine.GenerateAsync(prompt, greedy)).OutputTokenIds,
            Is.EqualTo((await reference.GenerateAsync(prompt, greedy)).OutputTokenIds), "the engine runs it as it runs Quark's export");
    }

    [Test]
    public async Task Fp8_output_is_glm5_fp8s_format_and_loads()
    {
        string output = _dir.File("fp8");
        var report = await CheckpointQuantizer.QuantizeAsync(Model("tiny-glm5"), output, new QuantizeOptions { Format = QuantizationFormat.Fp8 });
        var config = QuantizationConfig(output);
        Assert.That(((string?)config["quant_method"], (string?)config["fmt"]), Is.EqualTo(("fp8", "e4m3")));
        Assert.That(config["weight_block_size"]!.AsArray().Select(v => (int)v!), Is.EqualTo(new[] { 128, 128 }));
        var tensors = Tensors(output);
        Assert.That(tensors["model.layers.3.self_attn.q_a_proj.weight"].DType, Is.EqualTo(DType.F8E4M3), "GLM-5-FP8 quantizes the MTP layer too");
        Assert.That(tensors["model.layers.3.eh_proj.weight"].DType, Is.EqualTo(DType.BF16), "but not its eh_proj");
        Assert.That(tensors["model.layers.1.mlp.gate.weight"].DType, Is.EqualTo(DType.BF16));
        Assert.That(report.ExcludedModules, Does.Contain("lm_head"));

        using var weights = GlmWeights.Load(output);
        using var source = GlmWeights.Load(Model("tiny-glm5"));
        var sources = source.AllLinearWeights().ToDictionary(w => w.Name);
        foreach (var weight in weights.AllLinearWeights().Where(w => w.Format == WeightFormat.Fp8Block))
        {
            float[] original = sources[weight.Name].DequantizeAll(), roundTrip = weight.DequantizeAll();
            float amax = original.Max(MathF.Abs);
            // e4m3 keeps 3 mantissa bits: every value within half a step (1/16 relative) of the tile's scale.
            for (int i = 0; i < original.Length; i++)
                Assert.That(roundTrip[i], Is.EqualTo(original[i]).Within(amax / 16 + 1e-12f), weight.Name);
        }
        await using var engine = await GlmEngine.LoadAsync(output);
        Assert.That((await engine.GenerateAsync([1, 2, 3], SamplingParams.Greedy with { MaxTokens = 3 })).OutputTokenIds, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task An_fp8_release_becomes_mxfp4_with_its_excluded_modules_in_bf16()
    {
        string output = _dir.File("fp8-to-mxfp4");
        var report = await CheckpointQuantizer.QuantizeAsync(Model("tiny-glm5-fp8"), output);
        var tensors = Tensors(output);
        Assert.That(tensors.Keys.Where(n => n.EndsWith(".weight_scale_inv", StringComparison.Ordinal)), Is.Empty, "FP8 scales are consumed");
        Assert.That(tensors["model.layers.2.self_attn.q_a_proj.weight"].DType, Is.EqualTo(DType.BF16), "the MTP layer (layer 2 here) is dequantized to BF16");
        Assert.That(tensors["model.layers.1.self_attn.q_a_proj.weight"].DType, Is.EqualTo(DType.U8));
        Assert.That(report.QuantizedModuleCount, Is.GreaterThan(0));

        // The BF16 it writes for an excluded FP8 module is that module's dequantized FP8 values, rounded to BF16.
        using var fp8 = GlmWeights.Load(Model("tiny-glm5-fp8"));
        using var converted = GlmWeights.Load(output);
        var original = fp8.AllLinearWeights().Single(w => w.Name == "model.layers.2.self_attn.q_a_proj").DequantizeAll();
        var written = converted.AllLinearWeights().Single(w => w.Name == "model.layers.2.self_attn.q_a_proj").DequantizeAll();
        Assert.That(written, Is.EqualTo(original.Select(v => BFloat16Bits.ToSingle(BFloat16Bits.FromSingle(v))).ToArray()));
        await using var engine = await GlmEngine.LoadAsync(output);
    }

    [Test]
    public async Task Small_shards_give_an_index_and_the_same_tensors()
    {
        string single = _dir.File("single"), sharded = _dir.File("sharded");
        await CheckpointQuantizer.QuantizeAsync(Model("tiny-glm5"), single);
        var report = await CheckpointQuantizer.QuantizeAsync(Model("tiny-glm5"), sharded, new QuantizeOptions { MaxShardBytes = 100_000 });
        Assert.That(report.ShardCount, Is.GreaterThan(2));
        Assert.That(File.Exists(Path.Combine(sharded, Checkpoint.IndexFileName)), Is.True);
        Assert.That(Directory.GetFiles(sharded, "*.partial"), Is.Empty);
        var a = Tensors(single);
        var b = Tensors(sharded);
        Assert.That(b.Keys.Order(), Is.EqualTo(a.Keys.Order()));
        foreach (var (name, tensor) in a)
            Assert.That(b[name].Bytes, Is.EqualTo(tensor.Bytes), name);
    }

    [Test]
    public async Task A_sharded_source_is_read_shard_by_shard()
    {
        string output = _dir.File("from-sharded");
        var report = await CheckpointQuantizer.QuantizeAsync(Model("tiny-glm5-sharded"), output);
        Assert.That(report.QuantizedModuleCount, Is.EqualTo(78));
        await using var engine = await GlmEngine.LoadAsync(output);
    }

    [Test]
    public void Bad_inputs_are_refused_by_name()
    {
        Assert.That(async () => await CheckpointQuantizer.QuantizeAsync(Model("tiny-glm5-mxfp4"), _dir.File("a")),
            Throws.InstanceOf<CheckpointException>().With.Message.Contains("already MXFP4").And.Message.Contains("model.layers."));
        Assert.That(async () => await CheckpointQuantizer.QuantizeAsync(Model("tiny-glm5-fp8"), _dir.File("b"), new QuantizeOptions { Format = QuantizationFormat.Fp8 }),
            Throws.InstanceOf<CheckpointException>().With.Message.Contains("already FP8"));

        string broken = _dir.File("missing-shard");
        Directory.CreateDirectory(broken);
        foreach (string file in Directory.GetFiles(Model("tiny-glm5-sharded")))
            File.Copy(file, Path.Combine(broken, Path.GetFileName(file)));
        File.Delete(Path.Combine(broken, "model-00002-of-00002.safetensors"));
        Assert.That(async () => await CheckpointQuantizer.QuantizeAsync(broken, _dir.File("c")),
            Throws.InstanceOf<CheckpointException>().With.Message.Contains("model-00002-of-00002.safetensors"));

        // kv_b_proj has K = 16: Quark writes a partial block (the default, as the export above), or it is refused by name.
        Assert.That(async () => await CheckpointQuantizer.QuantizeAsync(Model("tiny-glm5"), _dir.File("whole"), new QuantizeOptions { RequireWholeBlocks = true }),
            Throws.InstanceOf<CheckpointException>().With.Message.Contains("kv_b_proj.weight").And.Message.Contains("not a multiple of 32"));

        string notEmpty = _dir.File("not-empty");
        Directory.CreateDirectory(notEmpty);
        File.WriteAllText(Path.Combine(notEmpty, "keep.txt"), "x");
        Assert.That(async () => await CheckpointQuantizer.QuantizeAsync(Model("tiny-glm5"), notEmpty), Throws.InstanceOf<IOException>().With.Message.Contains("not empty"));
        Assert.That(async () => await CheckpointQuantizer.QuantizeAsync(Model("tiny-glm5"), _dir.File("d"), new QuantizeOptions { Exclude = ["re:(unclosed"] }),
            Throws.ArgumentException.With.Message.Contains("re:(unclosed"));
        Assert.That(async () => await CheckpointQuantizer.QuantizeAsync(_dir.File("nothing"), _dir.File("e")),
            Throws.InstanceOf<CheckpointException>().With.Message.Contains("config.json"));
    }

    [Test]
    public async Task Exclusion_patterns_add_to_the_defaults()
    {
        string output = _dir.File("patterns");
        var report = await CheckpointQuantizer.QuantizeAsync(Model("tiny-glm5"), output,
            new QuantizeOptions { Exclude = ["*.self_attn.o_proj", "re:model\\.layers\\.0\\.mlp\\..*"] });
        var tensors = Tensors(output);
        Assert.That(tensors["model.layers.1.self_attn.o_proj.weight"].DType, Is.EqualTo(DType.BF16));
        Assert.That(tensors["model.layers.0.mlp.down_proj.weight"].DType, Is.EqualTo(DType.BF16));
        Assert.That(tensors["model.layers.1.mlp.experts.0.down_proj.weight"].DType, Is.EqualTo(DType.U8));
        Assert.That(report.ExcludedModules, Does.Contain("model.layers.2.self_attn.o_proj").And.Contain("lm_head"));
        Assert.That(QuantizationConfig(output)["exclude"]!.AsArray().Select(e => (string)e!), Does.Contain("model.layers.0.mlp.gate_proj"));
    }

    [Test]
    public void Cancelling_leaves_no_partial_shards()
    {
        string output = _dir.File("cancelled");
        using var cancel = new CancellationTokenSource();
        var progress = new InlineProgress(_ => cancel.Cancel());
        Assert.That(async () => await CheckpointQuantizer.QuantizeAsync(Model("tiny-glm5"), output, new QuantizeOptions { MaxShardBytes = 1000 }, progress, cancel.Token),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(Directory.GetFiles(output), Is.Empty);
    }

    [Test]
    public void The_cli_quantizes_and_reports_json()
    {
        string output = _dir.File("cli");
        var stdout = new StringWriter();
        int code = GlmRuntime.Cli.GlmCommand.Run(["quantize", "--model", Model("tiny-glm5"), "--out", output, "--format", "mxfp4", "--json", "--threads", "1"],
            TextReader.Null, stdout, TextWriter.Null, CancellationToken.None);
        Assert.That(code, Is.Zero, stdout.ToString());
        var json = JsonDocument.Parse(stdout.ToString()).RootElement;
        Assert.That(json.GetProperty("quantized_modules").GetInt32(), Is.EqualTo(78));
        Assert.That(json.GetProperty("source_gb_per_s").GetDouble(), Is.GreaterThan(0));
    }

    private sealed class InlineProgress(Action<QuantizeProgress> report) : IProgress<QuantizeProgress>
    {
        public void Report(QuantizeProgress value) => report(value);
    }
}
