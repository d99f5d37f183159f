using System.Runtime.InteropServices;

namespace GlmRuntime.Native.Tuning;

/// <summary>
/// One MoE layer's routed experts with random finite weights of a given shape and dtype, on the device, for the tuner
/// and <c>glm bench kernels</c>: all E experts in one buffer (so routing spreads the reads over E experts' weights as in
/// a real model), seeded random routing of k distinct experts per token, activations, output and workspace.
/// </summary>
internal sealed class SyntheticMoeLayer : IDisposable
{
    private readonly DeviceHandle _device;
    private readonly StreamHandle _stream;
    private readonly List<DeviceBufferHandle> _buffers = [];
    private readonly DeviceBufferHandle _x, _experts, _weights, _y;
    private DeviceBufferHandle? _workspace;
    private readonly int[][] _routing;

    public SyntheticMoeLayer(DeviceHandle device, StreamHandle stream, GlmrtDType dtype, int hidden, int intermediate, int expertCount,
        int expertsPerToken, int maxTokens, int seed = 1)
    {
        if (dtype is not (GlmrtDType.Mxfp4 or GlmrtDType.BF16 or GlmrtDType.Fp8Block))
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "The grouped MoE kernels take MXFP4, BF16 or FP8 block experts.");
        if (expertsPerToken > expertCount)
            throw new ArgumentOutOfRangeException(nameof(expertsPerToken), expertsPerToken, $"At most {expertCount} experts per token.");
        _device = device;
        _stream = stream;
        ExpertsPerToken = expertsPerToken;
        var random = new Random(seed);

        // Per expert: gate, up [I, d] and down [d, I], each data then scales.
        long matrixBytes = DataBytes(dtype, intermediate, hidden), scaleBytes = ScaleBytes(dtype, intermediate, hidden);
        long downBytes = DataBytes(dtype, hidden, intermediate), downScales = ScaleBytes(dtype, hidden, intermediate);
        ExpertBytes = 2 * (matrixBytes + scaleBytes) + downBytes + downScales;
        long expertStride = Align(matrixBytes) * 2 + Align(downBytes) + Align(scaleBytes) * 2 + Align(downScales);
        var all = Buffer(expertStride, expertCount);
        var table = new GlmrtExpertMatrices[expertCount];
        for (int e = 0; e < expertCount; e++)
        {
            nint at = all.Data + (nint)(e * expertStride);
            nint gate = at, up = gate + (nint)Align(matrixBytes), down = up + (nint)Align(matrixBytes);
            nint gateScales = down + (nint)Align(downBytes), upScales = gateScales + (nint)Align(scaleBytes), downScaleAt = upScales + (nint)Align(scaleBytes);
            table[e] = new GlmrtExpertMatrices
            {
                Gate = gate, Up = up, Down = down,
                GateScales = scaleBytes > 0 ? gateScales : 0, UpScales = scaleBytes > 0 ? upScales : 0, DownScales = downScales > 0 ? downScaleAt : 0,
            };
        }
        FillWeights(all, table, dtype, matrixBytes, scaleBytes, downBytes, downScales, random);
        var tableBuffer = Keep(DeviceBufferHandle.CreateFrom<GlmrtExpertMatrices>(device, stream, table));
        int block = dtype == GlmrtDType.Fp8Block ? 128 : 0;
        Experts = new ExpertTable(tableBuffer.Data, dtype, hidden, intermediate, expertCount, block, block);

        _x = Keep(DeviceBufferHandle.CreateFrom<float>(device, stream,
            Enumerable.Range(0, maxTokens * hidden).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()));
        _y = Buffer(4L * hidden, maxTokens);
        _routing = Route(maxTokens, random);
        _experts = Keep(DeviceBufferHandle.CreateFrom<int>(device, stream, _routing.SelectMany(r => r).ToArray()));
        _weights = Keep(DeviceBufferHandle.CreateFrom<float>(device, stream,
            Enumerable.Range(0, maxTokens * expertsPerToken).Select(_ => (float)random.NextDouble()).ToArray()));
        Glmrt.Check(Glmrt.stream_synchronize(stream));
    }

    /// <summary>The experts' device table and shape.</summary>
    public ExpertTable Experts { get; }

    public int ExpertsPerToken { get; }

    /// <summary>Bytes of one expert's three matrices with their scales.</summary>
    public long ExpertBytes { get; }

    /// <summary>The table key's shape ("mxfp4 d6144 i2048 e256 k8").</summary>
    public string Shape => Experts.Shape(ExpertsPerToken);

    /// <summary>Distinct experts the first <paramref name="tokens"/> tokens route to (the experts whose weights a call reads).</summary>
    public int ActiveExperts(int tokens) => _routing.Take(tokens).SelectMany(r => r).Distinct().Count();

    /// <summary>The bytes a call over <paramref name="tokens"/> tokens must move at least: active experts' weights, x and y.</summary>
    public double MinimumBytes(int tokens) => (double)ActiveExperts(tokens) * ExpertBytes + 2.0 * tokens * Experts.Hidden * 4;

    /// <summary>Milliseconds per glmrt_moe_experts call over the first <paramref name="tokens"/> tokens.</summary>
    public unsafe double Time(GpuTimer timer, MoeKernelConfig config, int tokens, int iterations, int warmup = 1)
    {
        var p = Experts.Params(ExpertsPerToken, config);
        ulong size;
        Glmrt.Check(Glmrt.moe_workspace_size(p, tokens, &size));
        ulong bytes = size;
        if (_workspace is null || _workspace.Bytes < (long)bytes)
        {
            _workspace?.Dispose();
            _workspace = DeviceBufferHandle.Create(_device, Math.Max(1, (long)bytes));
        }
        var workspace = _workspace;
        return timer.Milliseconds(() => Glmrt.moe_experts(_stream, p, Experts.Table, _x.Data, _experts.Data, _weights.Data, tokens,
            workspace.Data, bytes, _y.Data), iterations, warmup);
    }

    /// <summary>k distinct experts per token, ascending (as the router gives them).</summary>
    private int[][] Route(int tokens, Random random)
    {
        var routing = new int[tokens][];
        for (int t = 0; t < tokens; t++)
        {
            var chosen = new SortedSet<int>();
            while (chosen.Count < ExpertsPerToken)
                chosen.Add(random.Next(Experts.ExpertCount));
            routing[t] = chosen.ToArray();
        }
        return routing;
    }

    // Finite values of each format: MXFP4 any nibble with E8M0 scales 2^-7 .. 2^0; bf16 ±[2^-7, 2^-6); fp8 any byte but
    // NaN with float32 block scales in [0.001, 0.01). One random pattern per part, copied to every expert.
    private void FillWeights(DeviceBufferHandle all, GlmrtExpertMatrices[] table, GlmrtDType dtype, long matrixBytes, long scaleBytes, long downBytes,
        long downScales, Random random)
    {
        var data = new byte[Math.Max(matrixBytes, downBytes)];
        random.NextBytes(data);
        if (dtype == GlmrtDType.BF16)
        {
            var halves = MemoryMarshal.Cast<byte, ushort>(data.AsSpan());
            for (int i = 0; i < halves.Length; i++)
                halves[i] = (ushort)(0x3C00 | (halves[i] & 0x807F));
        }
        else if (dtype == GlmrtDType.Fp8Block)
        {
            for (int i = 0; i < data.Length; i++)
                data[i] &= 0xBF; // clears the top exponent bit: never S.1111.111
        }
        var scales = new byte[Math.Max(Math.Max(scaleBytes, downScales), 4)];
        if (dtype == GlmrtDType.Mxfp4)
        {
            for (int i = 0; i < scales.Length; i++)
                scales[i] = (byte)random.Next(120, 128);
        }
        else if (dtype == GlmrtDType.Fp8Block)
        {
            var floats = MemoryMarshal.Cast<byte, float>(scales.AsSpan(0, scales.Length / 4 * 4));
            for (int i = 0; i < floats.Length; i++)
                floats[i] = 0.001f + 0.009f * (float)random.NextDouble();
        }
        foreach (var e in table)
        {
            all.CopyFrom<byte>(_stream, e.Gate - all.Data, data.AsSpan(0, (int)matrixBytes));
            all.CopyFrom<byte>(_stream, e.Up - all.Data, data.AsSpan(0, (int)matrixBytes));
            all.CopyFrom<byte>(_stream, e.Down - all.Data, data.AsSpan(0, (int)downBytes));
            if (scaleBytes > 0)
            {
                all.CopyFrom<byte>(_stream, e.GateScales - all.Data, scales.AsSpan(0, (int)scaleBytes));
                all.CopyFrom<byte>(_stream, e.UpScales - all.Data, scales.AsSpan(0, (int)scaleBytes));
                all.CopyFrom<byte>(_stream, e.DownScales - all.Data, scales.AsSpan(0, (int)downScales));
            }
        }
    }

    private DeviceBufferHandle Buffer(long bytes, long count) => Keep(DeviceBufferHandle.Create(_device, Math.Max(1, bytes * count)));

    private DeviceBufferHandle Keep(DeviceBufferHandle buffer)
    {
        _buffers.Add(buffer);
        return buffer;
    }

    private static long DataBytes(GlmrtDType dtype, int rows, int columns) => dtype switch
    {
        GlmrtDType.Mxfp4 => (long)rows * columns / 2,
        GlmrtDType.BF16 => (long)rows * columns * 2,
        _ => (long)rows * columns,
    };

    private static long ScaleBytes(GlmrtDType dtype, int rows, int columns) => dtype switch
    {
        GlmrtDType.Mxfp4 => (long)rows * (columns / 32),
        GlmrtDType.Fp8Block => (long)((rows + 127) / 128) * ((columns + 127) / 128) * 4,
        _ => 0,
    };

    private static long Align(long bytes) => (bytes + 255) / 256 * 256;

    public void Dispose()
    {
        _workspace?.Dispose();
        foreach (var buffer in _buffers)
            buffer.Dispose();
        _buffers.Clear();
    }
}
