using GlmRuntime.Compute.Cpu;
using GlmRuntime.Compute.Cpu.Linear;
using GlmRuntime.Native;
using GlmRuntime.Native.Tuning;
using GlmRuntime.Tests.Support;
using GlmRuntime.Weights;

namespace GlmRuntime.Gpu.Tests;

/// <summary>
/// The grouped MoE (glmrt_moe_experts through <see cref="GpuBackend"/>) against the managed experts run one by one:
/// every stored dtype, launch configurations across the tile, row and warp choices, GLM-5's expert shape, and the loud
/// fallback when the config table has no row. Outputs start as NaN so an unwritten element shows.
/// </summary>
[Category("Gpu")]
[Parallelizable(ParallelScope.None)]
public sealed class GpuMoeTests
{
    private TempDirectory _files = null!;

    [OneTimeSetUp]
    public void Open()
    {
        GpuDevice.Require();
        _files = new TempDirectory();
    }

    [OneTimeTearDown]
    public void Close() => _files?.Dispose();

    private sealed class Layer(List<MlpWeights> experts, List<RandomLinearWeight> owned) : IDisposable
    {
        public List<MlpWeights> Experts { get; } = experts;
        public void Dispose() => owned.ForEach(w => w.Dispose());
    }

    private Layer Experts(WeightFormat format, int experts, int hidden, int width, int seed)
    {
        var owned = new List<RandomLinearWeight>();
        var mlps = new List<MlpWeights>();
        RandomLinearWeight Make(int n, int k, int s) => RandomLinearWeight.Create(_files.File($"{format}-{n}x{k}-{s}.safetensors"), format, n, k, (ulong)s);
        for (int e = 0; e < experts; e++)
        {
            var gate = Make(width, hidden, seed + 3 * e);
            var up = Make(width, hidden, seed + 3 * e + 1);
            var down = Make(hidden, width, seed + 3 * e + 2);
            owned.AddRange([gate, up, down]);
            mlps.Add(new MlpWeights(gate.Weight, up.Weight, down.Weight));
        }
        return new Layer(mlps, owned);
    }

    private static (float[] X, int[] Chosen, float[] Weights) Route(int tokens, int hidden, int experts, int k, int seed)
    {
        var random = new Random(seed);
        var x = new float[tokens * hidden];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(random.NextDouble() * 2 - 1);
        var chosen = new int[tokens * k];
        var weights = new float[tokens * k];
        for (int t = 0; t < tokens; t++)
        {
            var ids = Enumerable.Range(0, experts).OrderBy(_ => random.Next()).Take(k).Order().ToArray();
            ids.CopyTo(chosen, t * k);
            for (int s = 0; s < k; s++)
                weights[t * k + s] = (float)random.NextDouble();
        }
        return (x, chosen, weights);
    }

    private static float[] Reference(List<MlpWeights> experts, float[] x, int[] chosen, float[] weights, int k)
    {
        var y = new float[x.Length];
        MoeKernels.ExpertsOneByOne(new CpuParallel(1, CpuIsa.Portable), experts, x, chosen, weights, k, y);
        return y;
    }

    private static KernelConfigTable Table(GpuBackend probe, string shape, int tokens, MoeKernelConfig config) =>
        KernelConfigTable.Of([new KernelConfigEntry(probe.Architecture, KernelConfigTable.MoeOp, shape, KernelConfigTable.Bucket(tokens), config, "test")]);

    private static string ShapeOf(WeightFormat format, int hidden, int width, int experts, int k) => KernelConfigTable.MoeShape(format switch
    {
        WeightFormat.Mxfp4 => GlmrtDType.Mxfp4,
        WeightFormat.Fp8Block => GlmrtDType.Fp8Block,
        _ => GlmrtDType.BF16,
    }, hidden, width, experts, k);

    [TestCase(WeightFormat.Mxfp4)]
    [TestCase(WeightFormat.BF16)]
    [TestCase(WeightFormat.Fp8Block)]
    public void Grouped_experts_match_the_cpu_reference_for_each_launch_configuration(WeightFormat format)
    {
        const int hidden = 128, width = 64, experts = 6, k = 3, tokens = 11;
        using var layer = Experts(format, experts, hidden, width, seed: 500);
        var (x, chosen, weights) = Route(tokens, hidden, experts, k, seed: 7);
        chosen[0] = 0; chosen[1] = 1; chosen[2] = 2; // expert 5 may get nothing; a few get many
        var expected = Reference(layer.Experts, x, chosen, weights, k);
        string shape = ShapeOf(format, hidden, width, experts, k);
        using var probe = new GpuBackend(0, [], KernelConfigTable.Of([]));
        foreach (var config in new MoeKernelConfig[] { new(1, 1, 2), new(1, 4, 4), new(4, 2, 1), new(8, 4, 2), new(16, 2, 4), new(16, 1, 8) })
        {
            using var gpu = new GpuBackend(0, [], Table(probe, shape, tokens, config));
            var y = Enumerable.Repeat(float.NaN, tokens * hidden).ToArray();
            gpu.MoeExperts(layer.Experts, x, chosen, weights, k, y);
            Approx.AssertClose(y, expected, 1e-4, 1e-4, $"{format} {config}");
        }
        Assert.That(UntunedKernels.Snapshot().Where(u => u.Shape == shape), Is.Empty, "every configuration above was a table hit");
    }

    [Test]
    public void Grouped_experts_match_at_the_glm5_expert_shape()
    {
        // GLM-5's expert matrices (hidden 6144, width 2048) in MXFP4; four experts instead of 256 keep the test small.
        const int hidden = 6144, width = 2048, experts = 4, k = 2, tokens = 3;
        using var layer = Experts(WeightFormat.Mxfp4, experts, hidden, width, seed: 900);
        var (x, chosen, weights) = Route(tokens, hidden, experts, k, seed: 8);
        var expected = Reference(layer.Experts, x, chosen, weights, k);
        using var probe = new GpuBackend(0, [], KernelConfigTable.Of([]));
        using var gpu = new GpuBackend(0, [], Table(probe, ShapeOf(WeightFormat.Mxfp4, hidden, width, experts, k), tokens, new MoeKernelConfig(1, 4, 4)));
        var y = Enumerable.Repeat(float.NaN, tokens * hidden).ToArray();
        gpu.MoeExperts(layer.Experts, x, chosen, weights, k, y);
        Approx.AssertClose(y, expected, 1e-4, 1e-4, "GLM-5 expert shape");
    }

    [Test]
    public void A_shape_without_a_tuned_row_runs_the_fallback_and_says_so_once()
    {
        const int hidden = 64, width = 32, experts = 5, k = 2, tokens = 6;
        using var layer = Experts(WeightFormat.Mxfp4, experts, hidden, width, seed: 700);
        var (x, chosen, weights) = Route(tokens, hidden, experts, k, seed: 9);
        var expected = Reference(layer.Experts, x, chosen, weights, k);
        using var gpu = new GpuBackend(0, [], KernelConfigTable.Of([]));
        string shape = ShapeOf(WeightFormat.Mxfp4, hidden, width, experts, k);
        var warnings = new StringWriter();
        var previous = Console.Error;
        Console.SetError(warnings);
        try
        {
            for (int call = 0; call < 3; call++)
            {
                var y = Enumerable.Repeat(float.NaN, tokens * hidden).ToArray();
                gpu.MoeExperts(layer.Experts, x, chosen, weights, k, y);
                Approx.AssertClose(y, expected, 1e-4, 1e-4, "untuned fallback");
            }
        }
        finally
        {
            Console.SetError(previous);
        }
        string expectedKey = $"{gpu.Architecture}/moe_experts/{shape}/tokens≤8";
        Assert.That(warnings.ToString().Split('\n').Count(l => l.Contains(expectedKey)), Is.EqualTo(1), warnings.ToString());
        var miss = UntunedKernels.Snapshot().Single(u => u.Shape == shape);
        Assert.That((miss.Architecture, miss.Op, miss.TokenBucket, miss.Calls), Is.EqualTo((gpu.Architecture, "moe_experts", 8, 3L)));
        Assert.That(GlmEngine.Diagnose().UntunedKernels, Does.Contain(miss));
        Assert.That(GlmEngine.Diagnose().ToString(), Does.Contain(shape));
    }

    [Test]
    public void The_tuner_writes_rows_that_the_table_then_hits()
    {
        string model = Path.Combine(SharedData.Models, "tiny-glm5-mxfp4");
        var config = Configuration.GlmConfig.Load(model);
        var entries = KernelTuner.Tune(config, new KernelTuner.Options(0, [1, 3], Iterations: 1,
            Candidates: [new(1, 2, 2), new(4, 1, 4)]), _ => { });
        Assert.That(entries.Select(e => e.TokenBucket), Is.EqualTo(new[] { 1, 4 }));
        Assert.That(entries.Select(e => e.Shape).Distinct().Single(), Is.EqualTo("mxfp4 d64 i32 e8 k2"));
        Assert.That(entries.All(e => e.Microseconds > 0 && e.Source.StartsWith("tuned on", StringComparison.Ordinal)));
        string file = _files.File("tuned.json");
        KernelConfigTable.Save(file, entries);
        var table = KernelConfigTable.Load(file);
        Assert.That(ModelKernelShapes.MissingFrom(table, entries[0].Architecture, config).Select(m => m.TokenBucket),
            Is.EquivalentTo(ModelKernelShapes.Buckets.Except([1, 4])));
        Assert.That(table.Moe(entries[0].Architecture, entries[0].Shape, 3, 2, 8), Is.EqualTo(entries[1].Config));
    }

    [Test]
    public void The_quick_kernel_bench_reports_moe_and_sparse_decode_against_copy_bandwidth()
    {
        var report = GpuKernelBench.Run(0, quick: true, kernelConfigFile: null, _ => { });
        Assert.That(report.Rows.Select(r => r.Key), Is.SupersetOf(new[]
        {
            "moe_mxfp4_t1", "moe_mxfp4_t8", "moe_mxfp4_t32", "moe_bf16_t1", "sparse_mla_decode_f32_t1", "sparse_mla_decode_bf16_t1",
            "sparse_mla_decode_fp8e4m3_t1",
        }));
        foreach (var row in report.Rows)
            Assert.That(row.Bytes > 0 && row.Milliseconds > 0 && row.CopyFraction > 0, row.Key);
        Assert.That(report.Extras.Keys, Does.Contain("moe_mxfp4_speedup_over_bf16_t8").And.Contain("moe_mxfp4_t1_config"));
    }

    [Test]
    public void Diagnose_with_a_model_lists_the_shapes_this_device_would_run_untuned()
    {
        string model = Path.Combine(SharedData.Models, "tiny-glm5-mxfp4");
        var report = GlmEngine.Diagnose(model);
        string architecture = KernelConfigTable.NormalizeArchitecture(report.GpuDevices[0].Architecture);
        var predicted = report.UntunedKernels.Where(u => u.Calls == 0 && u.Shape == "mxfp4 d64 i32 e8 k2").ToList();
        Assert.That(predicted.Select(u => u.TokenBucket), Is.EqualTo(ModelKernelShapes.Buckets));
        Assert.That(predicted.All(u => u.Architecture == architecture));
    }
}
