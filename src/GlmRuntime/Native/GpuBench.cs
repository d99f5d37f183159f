using System.Globalization;
using System.Text.Json;

namespace GlmRuntime.Native;

/// <summary>
/// <c>glm bench gpu</c>: the device's copy bandwidth (a device-to-device copy, bytes read + written) and, in the same
/// run, each part-1 kernel's time per call (CUDA/HIP events around repeated launches), the bytes it must move, and that
/// rate as a fraction of the copy bandwidth. Operands are device buffers filled with finite patterns; nothing crosses
/// the bus inside a timed region.
/// </summary>
internal static class GpuBench
{
    /// <summary>One timed kernel: <paramref name="Bytes"/> is the data it must read and write once per call.</summary>
    public sealed record Row(string Key, string Shape, double Milliseconds, double Bytes, double GigabytesPerSecond, double CopyFraction);

    public sealed record Report(string Device, double CopyGigabytesPerSecond, IReadOnlyList<Row> Rows)
    {
        /// <summary>Further figures (ratios between rows, the configuration a row ran with): JSON key → value.</summary>
        public IReadOnlyDictionary<string, object> Extras { get; init; } = new Dictionary<string, object>();

        public void WriteTable(TextWriter o)
        {
            o.WriteLine($"device        {Device}");
            o.WriteLine($"copy          {CopyGigabytesPerSecond:F1} GB/s (device to device, read + write)");
            foreach (var r in Rows)
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Key,-28} {r.Shape,-34} {r.Milliseconds * 1000,10:F1} µs {r.GigabytesPerSecond,8:F1} GB/s {r.CopyFraction,6:F2} of copy"));
            foreach (var (key, value) in Extras)
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key,-28} {value}"));
        }

        public string ToJson()
        {
            var values = new Dictionary<string, object> { ["device"] = Device, ["copy_bw_gbs"] = CopyGigabytesPerSecond };
            foreach (var r in Rows)
            {
                values[$"{r.Key}_us"] = r.Milliseconds * 1000;
                values[$"{r.Key}_gbs"] = r.GigabytesPerSecond;
                values[$"{r.Key}_copy_fraction"] = r.CopyFraction;
                values[$"{r.Key}_bytes"] = r.Bytes;
            }
            foreach (var (key, value) in Extras)
                values[key] = value;
            return JsonSerializer.Serialize(values);
        }
    }

    public static unsafe Report Run(int deviceIndex, bool quick, Action<string> log)
    {
        var info = GpuDiagnostics.Collect().GpuDevices.FirstOrDefault(d => d.Index == deviceIndex)
            ?? throw new InvalidOperationException($"GPU {deviceIndex} is not available; `glm diagnose` says what was found.");
        using var device = DeviceHandle.Create(deviceIndex);
        using var stream = StreamHandle.Create(device);
        using var timer = new GpuTimer(device, stream);
        var owned = new List<DeviceBufferHandle>();
        try
        {
            DeviceBufferHandle Buffer(long bytes, byte fill)
            {
                var buffer = DeviceBufferHandle.Create(device, bytes);
                owned.Add(buffer);
                Glmrt.Check(Glmrt.buffer_fill(stream, buffer, 0, (ulong)bytes, fill));
                return buffer;
            }

            double Time(Func<GlmrtStatus> launch) => timer.Milliseconds(launch, quick ? 5 : 50);

            double copyGbs = timer.CopyGigabytesPerSecond(quick ? 1L << 20 : 1L << 30, quick ? 5 : 50);
            log($"copy: {copyGbs:F1} GB/s");
            var rows = new List<Row>();
            void Add(string key, string shape, double ms, double bytes)
            {
                double gbs = bytes / (ms * 1e6);
                rows.Add(new Row(key, shape, ms, bytes, gbs, gbs / copyGbs));
                log($"{key}: {ms * 1000:F1} µs, {gbs:F1} GB/s");
            }

            // GEMV at the 8192 x 8192 class of the targets, one token, each stored format.
            int n = quick ? 256 : 8192, k = quick ? 256 : 8192;
            var x = Buffer(k * 4L, 0x3C);
            var y = Buffer(n * 4L * 16, 0);
            foreach (var (dtype, key, weightBytes, scaleBytes, weightFill, scaleFill) in new[]
            {
                (GlmrtDType.BF16, "gemv_bf16", (long)n * k * 2, 0L, (byte)0x3C, (byte)0),
                (GlmrtDType.Fp8Block, "gemv_fp8_block", (long)n * k, (long)((n + 127) / 128) * ((k + 127) / 128) * 4, (byte)0x38, (byte)0x3C),
                (GlmrtDType.Mxfp4, "gemv_mxfp4", (long)n * k / 2, (long)n * (k / 32), (byte)0x22, (byte)0x7F),
            })
            {
                var weight = Buffer(weightBytes, weightFill);
                var scales = scaleBytes > 0 ? Buffer(scaleBytes, scaleFill) : null;
                var matrix = new GlmrtMatrix
                {
                    DType = dtype, Rows = n, Columns = k, Data = weight.Data, Scales = scales?.Data ?? 0,
                    BlockRows = dtype == GlmrtDType.Fp8Block ? 128 : 0, BlockColumns = dtype == GlmrtDType.Fp8Block ? 128 : 0,
                };
                foreach (int tokens in new[] { 1, 16 })
                {
                    var xs = tokens == 1 ? x : Buffer((long)tokens * k * 4, 0x3C);
                    double ms = Time(() => Glmrt.gemm(stream, matrix, xs.Data, tokens, y.Data));
                    Add($"{key}_t{tokens}", $"[{n}, {k}] x {tokens} tokens", ms, weightBytes + scaleBytes + tokens * (k + n) * 4.0);
                }
            }

            int rows2 = quick ? 8 : 64, width = quick ? 512 : 6144;
            var norm = Buffer((long)rows2 * width * 4, 0x3C);
            var gamma = Buffer(width * 4L, 0x3C);
            Add("rms_norm_f32", $"{rows2} x {width}", Time(() => Glmrt.rms_norm_f32(stream, norm.Data, gamma.Data, norm.Data, rows2, width, 1e-5f)),
                2.0 * rows2 * width * 4 + width * 4);

            long count = quick ? 1 << 16 : 1 << 24;
            var gate = Buffer(count * 4, 0x3C);
            var up = Buffer(count * 4, 0x3C);
            Add("swiglu_f32", $"{count} values", Time(() => Glmrt.swiglu_f32(stream, gate.Data, up.Data, gate.Data, count)), 3.0 * count * 4);

            // Absorbed MLA decode over 2,048 cached positions, GLM-5's 64 heads x (512 + 64).
            int heads = quick ? 4 : 64, cached = quick ? 64 : 2048, rank = 512, rope = 64;
            var latent = Buffer((long)cached * (rank + rope) * 4, 0x3C);
            var query = Buffer((long)heads * (rank + rope) * 4, 0x3C);
            var output = Buffer((long)heads * rank * 4, 0);
            var ints = Buffer(256, 0);
            int* hostInts = stackalloc int[2];
            hostInts[0] = 0;           // page table: one page of `cached` positions
            hostInts[1] = cached - 1;  // the query's position
            Glmrt.Check(Glmrt.copy_to_device(stream, ints, 0, hostInts, 8));
            var attention = new GlmrtMlaAttentionParams
            {
                Heads = heads, KvRank = rank, RopeDim = rope, NopeDim = 192, ValueDim = 256, PageSize = cached, CachedCount = cached,
                Scale = 0.05f,
            };
            double attentionBytes = (double)cached * (rank + rope) * 4 + heads * (2 * rank + rope) * 4.0;
            Add("mla_decode_f32", $"{heads} heads, {cached} positions", Time(() => Glmrt.mla_attention_decode_f32(stream, attention,
                query.Data, latent.Data, ints.Data, ints.Data + 4, 0, 1, output.Data)), attentionBytes);
            Add("sparse_mla_decode_f32", $"{heads} heads, {cached} positions", Time(() => Glmrt.sparse_mla_decode_f32(stream, attention,
                query.Data, latent.Data, ints.Data, ints.Data + 4, 0, 1, output.Data)), attentionBytes);

            int vocab = quick ? 4096 : 154_880;
            var logits = Buffer(vocab * 4L, 0x3C);
            var scratch = Buffer(vocab * 4L, 0);
            var uniform = Buffer(4, 0x3C);
            var token = Buffer(4, 0);
            var greedy = new GlmrtSamplingParams { Temperature = 0, TopP = 1 };
            var nucleus = new GlmrtSamplingParams { Temperature = 0.7f, TopK = 40, TopP = 0.95f };
            Add("sample_greedy", $"vocab {vocab}", Time(() => Glmrt.sample_f32(stream, logits.Data, 1, vocab, greedy, uniform.Data, scratch.Data, token.Data)), vocab * 4.0);
            Add("sample_top_k_top_p", $"vocab {vocab}", Time(() => Glmrt.sample_f32(stream, logits.Data, 1, vocab, nucleus, uniform.Data, scratch.Data, token.Data)), 2.0 * vocab * 4);
            return new Report($"[{info.Index}] {info.Name} ({info.Architecture})", copyGbs, rows);
        }
        finally
        {
            foreach (var buffer in owned)
                buffer.Dispose();
        }
    }
}
