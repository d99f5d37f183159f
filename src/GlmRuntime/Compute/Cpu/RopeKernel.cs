namespace GlmRuntime.Compute.Cpu;

/// <summary>Rotary position embedding in place (MODEL.md §3.3), angles φ_i = p·θ_i in float32 as transformers does.</summary>
internal static class RopeKernel
{
    public static void Apply(Span<float> data, int heads, int headStride, int offset, ReadOnlySpan<int> positions, RotaryTable table)
    {
        int rowWidth = heads * headStride;
        int half = table.InverseFrequencies.Length;
        if (offset + 2 * half > headStride)
            throw new ArgumentException($"Rotary slice [{offset}, {offset + 2 * half}) does not fit a head of {headStride}.", nameof(offset));
        if (data.Length < positions.Length * rowWidth)
            throw new ArgumentException($"Data holds {data.Length} values; {positions.Length} rows of {rowWidth} expected.", nameof(data));
        Span<float> cos = stackalloc float[half];
        Span<float> sin = stackalloc float[half];
        for (int t = 0; t < positions.Length; t++)
        {
            float p = positions[t];
            for (int i = 0; i < half; i++)
            {
                float angle = p * table.InverseFrequencies[i];
                cos[i] = MathF.Cos(angle) * table.AttentionFactor;
                sin[i] = MathF.Sin(angle) * table.AttentionFactor;
            }
            for (int h = 0; h < heads; h++)
            {
                var x = data.Slice(t * rowWidth + h * headStride + offset, 2 * half);
                if (table.Interleaved)
                {
                    for (int i = 0; i < half; i++)
                    {
                        float a = x[2 * i], b = x[2 * i + 1];
                        x[2 * i] = a * cos[i] - b * sin[i];
                        x[2 * i + 1] = a * sin[i] + b * cos[i];
                    }
                }
                else
                {
                    for (int i = 0; i < half; i++)
                    {
                        float a = x[i], b = x[i + half];
                        x[i] = a * cos[i] - b * sin[i];
                        x[i + half] = a * sin[i] + b * cos[i];
                    }
                }
            }
        }
    }
}
