using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GlmRuntime.Compute.Cpu.Linear;
using GlmRuntime.Weights;

namespace GlmRuntime.Compute.Cpu;

/// <summary>
/// The routed-expert step on MXFP4 experts with int8 activations, in two team dispatches whatever the number of
/// active experts: (1) for every (active expert, block of 64 intermediate rows): gate and up rows against the
/// expert's tokens, SiLU(gate)·up, and that block of the result quantized for the down projection; (2) for every
/// (active expert, block of 64 output rows): down rows against the expert's tokens. Each active expert's weights are
/// read once per step for all its tokens. The reduction then adds, per token, its experts' outputs times their
/// routing weights in the token's own order (the same order as alone: batch invariant). Buffers come from pools, so
/// a step allocates nothing.
/// </summary>
internal static unsafe class GroupedMoeStep
{
    /// <summary>Weight rows per work item: a multiple of 64 so an item quantizes whole block pairs of its outputs.</summary>
    private const int RowBlock = 64;

    /// <summary>Runs the step and returns true, or returns false (nothing written) when the experts or settings don't fit it.</summary>
    public static bool TryRun(CpuParallel parallel, IReadOnlyList<MlpWeights> experts, ReadOnlySpan<float> input, ReadOnlySpan<int> chosen,
        ReadOnlySpan<float> weights, int expertsPerToken, Span<float> output)
    {
        int assignments = chosen.Length;
        int tokens = assignments / expertsPerToken;
        if (tokens == 0 || experts.Count == 0)
            return false;
        int d = input.Length / tokens;
        int width = experts[0].Gate.OutFeatures;
        if (!LinearKernel.UsesInt8(parallel, d) || !LinearKernel.UsesInt8(parallel, width) || width % RowBlock != 0 || d % RowBlock != 0)
            return false;

        // Counting sort of the assignments by expert: slot order is expert order, and within an expert token order.
        int[] countsArray = ArrayPool<int>.Shared.Rent(experts.Count + 1);
        int[] slotsArray = ArrayPool<int>.Shared.Rent(assignments);
        int[] activeArray = ArrayPool<int>.Shared.Rent(experts.Count);
        int[] cursorArray = ArrayPool<int>.Shared.Rent(experts.Count + 1);
        try
        {
            var counts = countsArray.AsSpan(0, experts.Count + 1);
            counts.Clear();
            foreach (int e in chosen)
            {
                if ((uint)e >= (uint)experts.Count)
                    throw new ArgumentOutOfRangeException(nameof(chosen), e, $"Expert id outside the {experts.Count} experts.");
                counts[e + 1]++;
            }
            int activeCount = 0;
            for (int e = 0; e < experts.Count; e++)
            {
                if (counts[e + 1] == 0)
                    continue;
                if (!Fits(experts[e], d, width))
                    return false;
                activeArray[activeCount++] = e;
            }
            for (int e = 0; e < experts.Count; e++)
                counts[e + 1] += counts[e];
            // slots[i] = the slot of assignment i; counts[e] becomes the first slot of expert e.
            counts.CopyTo(cursorArray);
            for (int i = 0; i < assignments; i++)
                slotsArray[i] = cursorArray[chosen[i]]++;
            Run(parallel, experts, input, weights, expertsPerToken, output, tokens, d, width, countsArray, slotsArray, activeArray.AsSpan(0, activeCount));
            return true;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(countsArray);
            ArrayPool<int>.Shared.Return(slotsArray);
            ArrayPool<int>.Shared.Return(activeArray);
            ArrayPool<int>.Shared.Return(cursorArray);
        }
    }

    private static bool Fits(MlpWeights mlp, int d, int width) =>
        mlp.Gate is Mxfp4LinearWeight { InFeatures: var gk, OutFeatures: var gn } && gk == d && gn == width
        && mlp.Up is Mxfp4LinearWeight { InFeatures: var uk, OutFeatures: var un } && uk == d && un == width
        && mlp.Down is Mxfp4LinearWeight { InFeatures: var dk, OutFeatures: var dn } && dk == width && dn == d;

    private static void Run(CpuParallel parallel, IReadOnlyList<MlpWeights> experts, ReadOnlySpan<float> input, ReadOnlySpan<float> weights,
        int expertsPerToken, Span<float> output, int tokens, int d, int width, int[] firstSlot, int[] slots, ReadOnlySpan<int> active)
    {
        int assignments = tokens * expertsPerToken;
        int inBytes = Int8Activations.BytesPerToken(d), hiddenBytes = Int8Activations.BytesPerToken(width);
        byte[] quantizedArray = ArrayPool<byte>.Shared.Rent(tokens * inBytes + assignments * (inBytes + hiddenBytes) + Int8Activations.Alignment);
        float[] floatsArray = ArrayPool<float>.Shared.Rent(assignments * (2 * width + d));
        nint[] matricesArray = ArrayPool<nint>.Shared.Rent(active.Length * 6);
        try
        {
            fixed (float* x = input)
            fixed (byte* quantizedBase = quantizedArray)
            fixed (float* floats = floatsArray)
            fixed (nint* matrices = matricesArray)
            fixed (int* activeExperts = active)
            fixed (int* slotOf = slots)
            fixed (int* first = firstSlot)
            {
                byte* tokenQ = Int8Activations.Aligned(quantizedBase);
                byte* slotQ = tokenQ + (long)tokens * inBytes;                 // [slots, d] quantized, in slot order
                byte* hiddenQ = slotQ + (long)assignments * inBytes;           // [slots, width] quantized
                float* gate = floats;                                          // [slots, width]
                float* up = gate + (long)assignments * width;                  // [slots, width]
                float* down = up + (long)assignments * width;                  // [slots, d]

                Int8Activations.Quantize(x, tokens, d, tokenQ);
                for (int i = 0; i < assignments; i++)
                    Buffer.MemoryCopy(tokenQ + (long)(i / expertsPerToken) * inBytes, slotQ + (long)slotOf[i] * inBytes, inBytes, inBytes);
                for (int a = 0; a < active.Length; a++)
                {
                    var mlp = experts[active[a]];
                    matrices[6 * a + 0] = (nint)Pointer(((Mxfp4LinearWeight)mlp.Gate).Packed);
                    matrices[6 * a + 1] = (nint)Pointer(((Mxfp4LinearWeight)mlp.Gate).Scales);
                    matrices[6 * a + 2] = (nint)Pointer(((Mxfp4LinearWeight)mlp.Up).Packed);
                    matrices[6 * a + 3] = (nint)Pointer(((Mxfp4LinearWeight)mlp.Up).Scales);
                    matrices[6 * a + 4] = (nint)Pointer(((Mxfp4LinearWeight)mlp.Down).Packed);
                    matrices[6 * a + 5] = (nint)Pointer(((Mxfp4LinearWeight)mlp.Down).Scales);
                }

                var job = new ExpertJob
                {
                    Matrices = matrices,
                    Active = activeExperts,
                    FirstSlot = first,
                    SlotQ = slotQ,
                    HiddenQ = hiddenQ,
                    Gate = gate,
                    Up = up,
                    Down = down,
                    D = d,
                    Width = width,
                };
                job.UpPhase = true;
                int blocksPerExpert = width / RowBlock;
                parallel.For(active.Length * blocksPerExpert, (long)2 * RowBlock * d * Math.Max(1, assignments / active.Length), ref job);
                job.UpPhase = false;
                blocksPerExpert = d / RowBlock;
                parallel.For(active.Length * blocksPerExpert, (long)RowBlock * width * Math.Max(1, assignments / active.Length), ref job);

                // Each token adds its experts' outputs in its own assignment order.
                for (int t = 0; t < tokens; t++)
                {
                    var y = output.Slice(t * d, d);
                    y.Clear();
                    for (int j = 0; j < expertsPerToken; j++)
                    {
                        int i = t * expertsPerToken + j;
                        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(down + (long)slotOf[i] * d, d), weights[i], y, y);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(quantizedArray);
            ArrayPool<float>.Shared.Return(floatsArray);
            ArrayPool<nint>.Shared.Return(matricesArray);
        }
    }

    /// <summary>
    /// The start of a checkpoint tensor's bytes. Weights are memory-mapped (<see cref="Checkpoints.SafetensorsFile"/>),
    /// so the address stays valid while the weights are loaded, without pinning.
    /// </summary>
    private static byte* Pointer(TensorSlice slice) =>
        (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(slice.Bytes(0, checked((int)slice.ByteLength))));

    private struct ExpertJob : IRangeJob
    {
        public nint* Matrices;
        public int* Active, FirstSlot;
        public byte* SlotQ, HiddenQ;
        public float* Gate, Up, Down;
        public int D, Width;
        public bool UpPhase;

        public readonly void Execute(int start, int end)
        {
            int blocksPerExpert = (UpPhase ? Width : D) / RowBlock;
            for (int item = start; item < end; item++)
            {
                int a = item / blocksPerExpert, row = item % blocksPerExpert * RowBlock;
                int e = Active[a];
                int slot = FirstSlot[e], count = FirstSlot[e + 1] - slot;
                nint* m = Matrices + 6 * a;
                if (UpPhase)
                {
                    byte* x = SlotQ + (long)slot * Int8Activations.BytesPerToken(D);
                    Int8Mxfp4Kernel.Rows((byte*)m[0], (byte*)m[1], D, x, count, Gate + (long)slot * Width + row, Width, row, RowBlock);
                    Int8Mxfp4Kernel.Rows((byte*)m[2], (byte*)m[3], D, x, count, Up + (long)slot * Width + row, Width, row, RowBlock);
                    for (int j = 0; j < count; j++)
                    {
                        float* g = Gate + (long)(slot + j) * Width;
                        var block = new Span<float>(g + row, RowBlock);
                        MoeKernels.SwiGlu(block, new ReadOnlySpan<float>(Up + (long)(slot + j) * Width + row, RowBlock), block);
                        Int8Activations.QuantizePairs(g, Width, row / Int8Activations.PairValues, RowBlock / Int8Activations.PairValues,
                            HiddenQ + (long)(slot + j) * Int8Activations.BytesPerToken(Width));
                    }
                }
                else
                {
                    byte* h = HiddenQ + (long)slot * Int8Activations.BytesPerToken(Width);
                    Int8Mxfp4Kernel.Rows((byte*)m[4], (byte*)m[5], Width, h, count, Down + (long)slot * D + row, D, row, RowBlock);
                }
            }
        }
    }
}
