namespace GlmRuntime.Weights;

/// <summary>
/// A weight matrix [OutFeatures, InFeatures] (y = x·Wᵀ) kept in its stored format. Compute kernels read
/// the packed bytes; <see cref="DequantizeRow"/> is the exact reference decode they are tested against.
/// </summary>
internal abstract class LinearWeight(string name, int outFeatures, int inFeatures)
{
    /// <summary>Checkpoint module name (the tensor name without ".weight").</summary>
    public string Name { get; } = name;

    /// <summary>Rows (N).</summary>
    public int OutFeatures { get; } = outFeatures;

    /// <summary>Columns, the reduction dimension (K).</summary>
    public int InFeatures { get; } = inFeatures;

    public abstract WeightFormat Format { get; }

    /// <summary>Whether the CPU register decoders may read this weight (set once by <c>FastPathCheck</c>).</summary>
    internal int FastPathState;

    /// <summary>Bytes held by the weight and its scales.</summary>
    public abstract long StoredBytes { get; }

    /// <summary>Logical parameter count N·K.</summary>
    public long ParameterCount => (long)OutFeatures * InFeatures;

    /// <summary>The checkpoint tensors this weight was built from (weight and scales).</summary>
    public abstract IEnumerable<string> TensorNames { get; }

    /// <summary>Writes row <paramref name="row"/> as float32 (exact for every format here).</summary>
    public abstract void DequantizeRow(int row, Span<float> destination);

    /// <summary>Dequantizes the whole matrix (tests and tools; never done at load).</summary>
    public float[] DequantizeAll()
    {
        var result = new float[ParameterCount];
        for (int r = 0; r < OutFeatures; r++)
            DequantizeRow(r, result.AsSpan(r * InFeatures, InFeatures));
        return result;
    }

    protected void CheckRow(int row, Span<float> destination)
    {
        if ((uint)row >= (uint)OutFeatures)
            throw new ArgumentOutOfRangeException(nameof(row), $"Row {row} is outside '{Name}' ({OutFeatures} rows).");
        if (destination.Length != InFeatures)
            throw new ArgumentException($"Destination has {destination.Length} elements; '{Name}' rows have {InFeatures}.", nameof(destination));
    }
}
