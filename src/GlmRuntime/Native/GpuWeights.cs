using GlmRuntime.Weights;

namespace GlmRuntime.Native;

/// <summary>
/// A model's linear weights on the device, in their stored (packed) form: uploaded once into one glmrt_weights arena
/// at load; a weight first seen later (tests, tools) gets its own device buffer. Nothing is dequantized.
/// </summary>
internal sealed class GpuWeights : IDisposable
{
    private const int ChunkBytes = 256 << 20; // a multiple of the arena's 256-byte alignment keeps chunks contiguous
    private readonly DeviceHandle _device;
    private readonly StreamHandle _stream;
    private readonly WeightsHandle? _arena;
    private readonly List<DeviceBufferHandle> _extra = [];
    private readonly Dictionary<LinearWeight, GlmrtMatrix> _matrices = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<object, ExpertTable?> _expertTables = new(ReferenceEqualityComparer.Instance);

    public GpuWeights(DeviceHandle device, StreamHandle stream, IEnumerable<LinearWeight> weights)
    {
        _device = device;
        _stream = stream;
        var distinct = weights.Distinct(ReferenceEqualityComparer.Instance).Cast<LinearWeight>().ToList();
        long capacity = distinct.SelectMany(Parts).Sum(p => (p.ByteLength + 255) / 256 * 256);
        if (capacity == 0)
            return;
        _arena = WeightsHandle.Create(device, capacity);
        foreach (var weight in distinct)
            _matrices[weight] = Describe(weight, Parts(weight).Select(UploadToArena).ToArray());
        Glmrt.Check(Glmrt.stream_synchronize(stream));
    }

    /// <summary>Bytes held on the device.</summary>
    public long DeviceBytes => (_arena is null ? 0 : (long)Glmrt.weights_used(_arena)) + _extra.Sum(b => b.Bytes);

    /// <summary>The device view of <paramref name="weight"/>, uploading it first when it is new.</summary>
    public GlmrtMatrix Matrix(LinearWeight weight)
    {
        if (_matrices.TryGetValue(weight, out var matrix))
            return matrix;
        matrix = Describe(weight, Parts(weight).Select(UploadToOwnBuffer).ToArray());
        Glmrt.Check(Glmrt.stream_synchronize(_stream));
        _matrices[weight] = matrix;
        return matrix;
    }

    /// <summary>
    /// The device table (glmrt_expert_matrices per expert) the grouped MoE kernels read one layer's experts through, or
    /// null when these experts cannot take the grouped path (a dtype other than MXFP4, BF16 or FP8 block, mixed
    /// dtypes or shapes, or a width that is not a multiple of 32). Built once per expert list; the weights themselves
    /// are not copied or repacked: the table points at the tensors as uploaded.
    /// </summary>
    public ExpertTable? Experts(IReadOnlyList<MlpWeights> experts)
    {
        if (_expertTables.TryGetValue(experts, out var cached))
            return cached;
        ExpertTable? table = null;
        if (experts.Count > 0)
        {
            var rows = new GlmrtExpertMatrices[experts.Count];
            var first = Matrix(experts[0].Gate);
            int hidden = first.Columns, intermediate = first.Rows;
            bool groupable = (first.DType is GlmrtDType.Mxfp4 or GlmrtDType.BF16 or GlmrtDType.Fp8Block) && hidden % 32 == 0 && intermediate % 32 == 0
                && (first.DType != GlmrtDType.Fp8Block || first.BlockColumns % 32 == 0);
            for (int e = 0; e < experts.Count && groupable; e++)
            {
                GlmrtMatrix gate = Matrix(experts[e].Gate), up = Matrix(experts[e].Up), down = Matrix(experts[e].Down);
                groupable = Same(gate, first, intermediate, hidden) && Same(up, first, intermediate, hidden) && Same(down, first, hidden, intermediate);
                rows[e] = new GlmrtExpertMatrices
                {
                    Gate = gate.Data, GateScales = gate.Scales, Up = up.Data, UpScales = up.Scales, Down = down.Data, DownScales = down.Scales,
                };
            }
            if (groupable)
            {
                var buffer = DeviceBufferHandle.CreateFrom<GlmrtExpertMatrices>(_device, _stream, rows);
                _extra.Add(buffer);
                Glmrt.Check(Glmrt.stream_synchronize(_stream));
                table = new ExpertTable(buffer.Data, first.DType, hidden, intermediate, experts.Count, first.BlockRows, first.BlockColumns);
            }
        }
        _expertTables[experts] = table;
        return table;

        static bool Same(GlmrtMatrix m, GlmrtMatrix first, int rows, int columns) =>
            m.DType == first.DType && m.Rows == rows && m.Columns == columns && m.BlockRows == first.BlockRows && m.BlockColumns == first.BlockColumns;
    }

    /// <summary>The checkpoint tensors of a weight, in the order <see cref="Describe"/> expects them.</summary>
    private static TensorSlice[] Parts(LinearWeight weight) => weight switch
    {
        DenseLinearWeight d => [d.Weight],
        Fp8BlockLinearWeight f => [f.Weight, f.ScaleInv],
        Mxfp4LinearWeight m => [m.Packed, m.Scales],
        _ => throw new NotSupportedException($"The GPU backend cannot upload '{weight.Name}' ({weight.GetType().Name}, {weight.Format})."),
    };

    private static GlmrtMatrix Describe(LinearWeight weight, nint[] parts) => weight switch
    {
        DenseLinearWeight d => new GlmrtMatrix
        {
            DType = d.Format switch { WeightFormat.BF16 => GlmrtDType.BF16, WeightFormat.F16 => GlmrtDType.F16, _ => GlmrtDType.F32 },
            Rows = d.OutFeatures, Columns = d.InFeatures, Data = parts[0],
        },
        Fp8BlockLinearWeight f => new GlmrtMatrix
        {
            DType = GlmrtDType.Fp8Block, Rows = f.OutFeatures, Columns = f.InFeatures, BlockRows = f.BlockN, BlockColumns = f.BlockK,
            Data = parts[0], Scales = parts[1],
        },
        Mxfp4LinearWeight m => new GlmrtMatrix
        {
            DType = GlmrtDType.Mxfp4, Rows = m.OutFeatures, Columns = m.InFeatures, Data = parts[0], Scales = parts[1],
        },
        _ => throw new NotSupportedException($"The GPU backend cannot describe '{weight.Name}' ({weight.GetType().Name})."),
    };

    private unsafe nint UploadToArena(TensorSlice tensor)
    {
        nint start = 0;
        for (long offset = 0; offset < tensor.ByteLength; offset += ChunkBytes)
        {
            var bytes = tensor.Bytes(offset, (int)Math.Min(ChunkBytes, tensor.ByteLength - offset));
            ulong at;
            fixed (byte* source = bytes)
                Glmrt.Check(Glmrt.weights_upload(_arena!, _stream, source, (ulong)bytes.Length, &at));
            if (offset == 0)
                start = _arena!.Data + (nint)at;
        }
        return start;
    }

    private nint UploadToOwnBuffer(TensorSlice tensor)
    {
        var buffer = DeviceBufferHandle.Create(_device, Math.Max(1, tensor.ByteLength));
        _extra.Add(buffer);
        for (long offset = 0; offset < tensor.ByteLength; offset += ChunkBytes)
            buffer.CopyFrom<byte>(_stream, offset, tensor.Bytes(offset, (int)Math.Min(ChunkBytes, tensor.ByteLength - offset)));
        return buffer.Data;
    }

    public void Dispose()
    {
        _expertTables.Clear();
        foreach (var buffer in _extra)
            buffer.Dispose();
        _extra.Clear();
        _arena?.Dispose();
        _matrices.Clear();
    }
}

/// <summary>One MoE layer's experts as the grouped kernels see them: the device table and the shared shape.</summary>
internal sealed record ExpertTable(nint Table, GlmrtDType DType, int Hidden, int Intermediate, int ExpertCount, int BlockRows, int BlockColumns)
{
    /// <summary>The kernel-config table's shape key ("mxfp4 d6144 i2048 e256 k8").</summary>
    public string Shape(int expertsPerToken) => Tuning.KernelConfigTable.MoeShape(DType, Hidden, Intermediate, ExpertCount, expertsPerToken);

    /// <summary>glmrt_moe_params for these experts with float32 activations and <paramref name="config"/>'s launch.</summary>
    public GlmrtMoeParams Params(int expertsPerToken, Tuning.MoeKernelConfig config) => new()
    {
        DType = DType, ActivationDType = GlmrtDType.F32, Hidden = Hidden, Intermediate = Intermediate, ExpertCount = ExpertCount,
        ExpertsPerToken = expertsPerToken, BlockRows = BlockRows, BlockColumns = BlockColumns,
        TokensPerTile = config.TokensPerTile, RowsPerWarp = config.RowsPerWarp, WarpsPerBlock = config.WarpsPerBlock,
    };
}
