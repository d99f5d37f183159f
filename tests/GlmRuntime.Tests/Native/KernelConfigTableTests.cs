using System.Diagnostics.Metrics;
using GlmRuntime.Configuration;
using GlmRuntime.Engine;
using GlmRuntime.Native;
using GlmRuntime.Native.Tuning;
using GlmRuntime.Tests.Support;
using Microsoft.Extensions.Logging;

namespace GlmRuntime.Tests.Native;

/// <summary>The tuned kernel-config table: the shipped GLM-5 rows, lookups, the loud miss, user files, model shapes. No GPU needed.</summary>
[Parallelizable(ParallelScope.None)] // UntunedKernels.Logger is process-wide
public sealed class KernelConfigTableTests
{
    private const string Glm5Mxfp4 = "mxfp4 d6144 i2048 e256 k8";

    [Test]
    public void The_shipped_table_has_every_token_bucket_of_glm5s_moe_for_each_target()
    {
        var table = KernelConfigTable.Load();
        foreach (string arch in new[] { "sm_90", "gfx90a", "gfx942", "gfx950" })
        foreach (string shape in new[] { Glm5Mxfp4, "fp8 d6144 i2048 e256 k8", "bf16 d6144 i2048 e256 k8" })
        foreach (int bucket in ModelKernelShapes.Buckets)
            Assert.That(table.TryGet(new KernelConfigKey(arch, KernelConfigTable.MoeOp, bucket, shape), out _), $"{arch} {shape} {bucket}");
    }

    [TestCase(1, 1)]
    [TestCase(3, 4)]
    [TestCase(8, 8)]
    [TestCase(9, 16)]
    [TestCase(512, 512)]
    [TestCase(5000, 512)]
    public void Token_counts_fall_in_power_of_two_buckets(int tokens, int bucket) => Assert.That(KernelConfigTable.Bucket(tokens), Is.EqualTo(bucket));

    [Test]
    public void Architecture_names_lose_their_target_features() =>
        Assert.That(KernelConfigTable.NormalizeArchitecture("gfx942:sramecc+:xnack-"), Is.EqualTo("gfx942"));

    [Test]
    public void A_hit_returns_the_row_without_reporting()
    {
        var table = KernelConfigTable.Load();
        var config = table.Moe("gfx942:sramecc+:xnack-", Glm5Mxfp4, 20, 8, 256);
        Assert.That(table.TryGet(new KernelConfigKey("gfx942", KernelConfigTable.MoeOp, 32, Glm5Mxfp4), out var row));
        Assert.That(config, Is.EqualTo(row.Config));
        Assert.That(UntunedKernels.Snapshot().Where(u => u.Architecture == "gfx942" && u.Shape == Glm5Mxfp4), Is.Empty);
    }

    [Test]
    public void A_miss_warns_once_with_the_exact_key_counts_every_call_and_shows_in_diagnose_and_metrics()
    {
        var logger = new RecordingLogger();
        var previous = UntunedKernels.Logger;
        UntunedKernels.Logger = logger;
        try
        {
            var table = KernelConfigTable.Of([]);
            const string shape = "mxfp4 d96 i64 e7 k3";
            var configs = Enumerable.Range(0, 4).Select(_ => table.Moe("sm_test", shape, 30, 3, 7)).ToList();
            Assert.That(configs.Distinct().Single(), Is.EqualTo(MoeKernelConfig.Fallback(30, 3, 7)));
            var warning = logger.Messages.Single();
            Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(warning.Text, Does.Contain("sm_test/moe_experts/mxfp4 d96 i64 e7 k3/tokens≤32").And.Contain("glm tune"));
            var miss = UntunedKernels.Snapshot().Single(u => u.Architecture == "sm_test");
            Assert.That(miss, Is.EqualTo(new GlmUntunedKernel("sm_test", "moe_experts", shape, 32, 4)));
            Assert.That(GlmEngine.Diagnose().UntunedKernels, Does.Contain(miss));
            Assert.That(GlmEngine.Diagnose().ToString(), Does.Contain("sm_test moe_experts 'mxfp4 d96 i64 e7 k3' tokens≤32: 4 call(s)"));

            var measured = new List<(long Value, string? Arch)>();
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "glm.gpu.untuned_kernel_calls")
                    l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
                measured.Add((value, tags.ToArray().FirstOrDefault(t => t.Key == "arch").Value as string)));
            listener.Start();
            using var metrics = new EngineMetrics(() => new GlmEngineStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), scope: this);
            listener.RecordObservableInstruments();
            Assert.That(measured, Does.Contain((4L, (string?)"sm_test")));
        }
        finally
        {
            UntunedKernels.Logger = previous;
        }
    }

    [Test]
    public void A_user_file_overrides_shipped_rows_and_bad_files_name_themselves()
    {
        using var folder = new TempDirectory();
        string file = folder.File("tuned.json");
        var mine = new KernelConfigEntry("sm_90", KernelConfigTable.MoeOp, Glm5Mxfp4, 8, new MoeKernelConfig(16, 1, 8), "tuned on test", 12.5);
        KernelConfigTable.Save(file, [mine]);
        Assert.That(KernelConfigTable.Load(file).Moe("sm_90", Glm5Mxfp4, 7, 8, 256), Is.EqualTo(mine.Config));
        Assert.That(KernelConfigTable.LoadFile(file).Single(), Is.EqualTo(mine));

        File.WriteAllText(file, "{\"version\": 1, \"entries\": [{\"arch\": \"sm_90\", \"op\": \"moe_experts\", \"shape\": \"x\", \"tokens\": 3, " +
            "\"config\": {\"tokens_per_tile\": 1, \"rows_per_warp\": 1, \"warps_per_block\": 4}, \"source\": \"hand\"}]}");
        Assert.That(() => KernelConfigTable.Load(file), Throws.InstanceOf<InvalidDataException>().With.Message.Contains(file).And.Message.Contains("tokens 3"));
        File.WriteAllText(file, "{\"version\": 1, \"entries\": [{\"arch\": \"sm_90\", \"op\": \"moe_experts\", \"shape\": \"x\", \"tokens\": 4, " +
            "\"config\": {\"tokens_per_tile\": 16, \"rows_per_warp\": 4, \"warps_per_block\": 4}, \"source\": \"hand\"}]}");
        Assert.That(() => KernelConfigTable.Load(file), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("do not accept"));
        File.WriteAllText(file, "not json");
        Assert.That(() => KernelConfigTable.Load(file), Throws.InstanceOf<InvalidDataException>().With.Message.Contains(file));
        Assert.That(() => KernelConfigTable.Load(folder.File("missing.json")), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains("missing.json"));
        Assert.That(() => new GlmEngineOptions { KernelConfigFile = folder.File("missing.json") }.Validate(),
            Throws.InstanceOf<FileNotFoundException>().With.Message.Contains("KernelConfigFile"));
    }

    [TestCase("tiny-glm5-mxfp4", "mxfp4 d64 i32 e8 k2")]
    [TestCase("tiny-glm5", "bf16 d64 i32 e8 k2")]
    [TestCase("tiny-glm5-fp8", "fp8 d256 i256 e4 k2")]
    public void A_models_moe_shape_comes_from_its_config(string model, string shape)
    {
        var config = GlmConfig.Load(Path.Combine(SharedData.Models, model));
        Assert.That(ModelKernelShapes.MoeShape(config), Is.EqualTo(shape));
        var missing = ModelKernelShapes.MissingFrom(KernelConfigTable.Load(), "sm_90", config).ToList();
        Assert.That(missing.Select(m => m.TokenBucket), Is.EqualTo(ModelKernelShapes.Buckets), "the shipped table has no tiny-model rows");
        Assert.That(missing.All(m => m.Shape == shape && m.Calls == 0));
    }

    [Test]
    public void Glm5s_shapes_are_all_tuned_in_the_shipped_table()
    {
        var tiny = GlmConfig.Load(Path.Combine(SharedData.Models, "tiny-glm5-mxfp4"));
        var glm5 = tiny with { HiddenSize = 6144, MoeIntermediateSize = 2048, NRoutedExperts = 256, NumExpertsPerTok = 8 };
        Assert.That(ModelKernelShapes.MoeShape(glm5), Is.EqualTo(Glm5Mxfp4));
        Assert.That(ModelKernelShapes.MissingFrom(KernelConfigTable.Load(), "sm_90", glm5), Is.Empty);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<(LogLevel Level, string Text)> Messages { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add((logLevel, formatter(state, exception)));
    }
}
