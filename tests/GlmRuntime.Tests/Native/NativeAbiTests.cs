using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using GlmRuntime.Native;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Native;

/// <summary>
/// The C ABI (native/include/glmrt.h) and its managed mirror stay in step, and the kernel sources keep the rule that
/// only the compatibility header includes a vendor runtime header. No GPU or native build needed.
/// </summary>
public sealed partial class NativeAbiTests
{
    private static string NativeRoot => Path.Combine(SharedData.RepositoryRoot, "native");

    [GeneratedRegex(@"GLMRT_API\s+[^;]*?\b(glmrt_\w+)\s*\(")]
    private static partial Regex HeaderFunction();

    [GeneratedRegex(@"EntryPoint = ""(glmrt_\w+)""")]
    private static partial Regex ImportedFunction();

    [GeneratedRegex(@"sizeof\((glmrt_\w+)\) == (\d+)")]
    private static partial Regex PinnedSize();

    [Test]
    public void Every_header_function_has_one_import_and_every_import_is_in_the_header()
    {
        string header = File.ReadAllText(Path.Combine(NativeRoot, "include", "glmrt.h"));
        string imports = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "src", "GlmRuntime", "Native", "Glmrt.cs"));
        var declared = HeaderFunction().Matches(header).Select(m => m.Groups[1].Value).ToList();
        var imported = ImportedFunction().Matches(imports).Select(m => m.Groups[1].Value).ToList();
        Assert.That(declared, Has.Count.GreaterThan(40), "the header parse found too few functions");
        Assert.That(declared, Is.Unique);
        Assert.That(imported, Is.Unique);
        Assert.That(imported, Is.EquivalentTo(declared), "glmrt.h and Native/Glmrt.cs disagree");
    }

    [Test]
    public void Managed_struct_sizes_match_the_sizes_the_native_build_pins()
    {
        string checks = File.ReadAllText(Path.Combine(NativeRoot, "shim", "abi_checks.cpp"));
        var pinned = PinnedSize().Matches(checks).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
        var managed = new Dictionary<string, int>
        {
            ["glmrt_runtime_info"] = Unsafe.SizeOf<GlmrtRuntimeInfo>(),
            ["glmrt_device_info"] = Unsafe.SizeOf<GlmrtDeviceInfo>(),
            ["glmrt_device_params"] = Unsafe.SizeOf<GlmrtDeviceParams>(),
            ["glmrt_matrix"] = Unsafe.SizeOf<GlmrtMatrix>(),
            ["glmrt_rope_params"] = Unsafe.SizeOf<GlmrtRopeParams>(),
            ["glmrt_router_params"] = Unsafe.SizeOf<GlmrtRouterParams>(),
            ["glmrt_head_projection"] = Unsafe.SizeOf<GlmrtHeadProjection>(),
            ["glmrt_mla_attention_params"] = Unsafe.SizeOf<GlmrtMlaAttentionParams>(),
            ["glmrt_sampling_params"] = Unsafe.SizeOf<GlmrtSamplingParams>(),
            ["glmrt_expert_matrices"] = Unsafe.SizeOf<GlmrtExpertMatrices>(),
            ["glmrt_moe_params"] = Unsafe.SizeOf<GlmrtMoeParams>(),
            ["glmrt_kv_format"] = Unsafe.SizeOf<GlmrtKvFormat>(),
            ["glmrt_status"] = Unsafe.SizeOf<GlmrtStatus>(),
            ["glmrt_dtype"] = Unsafe.SizeOf<GlmrtDType>(),
        };
        Assert.That(pinned.Keys, Is.EquivalentTo(managed.Keys), "abi_checks.cpp pins a different set of structs");
        foreach (var (name, size) in managed)
            Assert.That(size, Is.EqualTo(pinned[name]), name);
    }

    [Test]
    public void Only_the_compatibility_header_includes_a_vendor_runtime_header()
    {
        var vendor = new Regex(@"#\s*include\s*[<""](hip/|cuda|cuda_runtime|hip_runtime)", RegexOptions.IgnoreCase);
        var offenders = Directory.EnumerateFiles(NativeRoot, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".h") || f.EndsWith(".cuh") || f.EndsWith(".cu") || f.EndsWith(".cpp") || f.EndsWith(".c"))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}build{Path.DirectorySeparatorChar}"))
            .Where(f => Path.GetFileName(f) != "gpu.h" && vendor.IsMatch(File.ReadAllText(f)))
            .ToList();
        Assert.That(offenders, Is.Empty);
        Assert.That(File.ReadAllText(Path.Combine(NativeRoot, "kernels", "gpu.h")), Does.Contain("hip/hip_runtime.h").And.Contain("cuda_runtime.h"));
    }

    [Test]
    public void Each_kernel_file_is_one_operation_and_the_header_documents_each_function()
    {
        var kernels = Directory.EnumerateFiles(Path.Combine(NativeRoot, "kernels"), "*.cu").Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.That(kernels, Is.SupersetOf(new[]
        {
            "embedding_gather", "rms_norm_f32", "layer_norm_f32", "rope_f32", "swiglu_f32", "gemm_dense", "gemm_fp8_block",
            "gemm_mxfp4", "router_topk_f32", "mla_attention_f32", "sample_f32",
        }));
        string header = File.ReadAllText(Path.Combine(NativeRoot, "include", "glmrt.h"));
        Assert.That(header, Does.Not.Contain("std::").And.Not.Contain("class ").And.Not.Contain("hipError_t").And.Not.Contain("cudaError_t"));
        Assert.That(header, Does.Contain("glmrt_version").And.Contain("glmrt_status_message"));
    }
}
