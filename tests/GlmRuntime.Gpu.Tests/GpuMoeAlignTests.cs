using System.Runtime.InteropServices;
using GlmRuntime.Native;

namespace GlmRuntime.Gpu.Tests;

/// <summary>glmrt_moe_align's layout and glmrt_moe_experts' bf16 activations, called directly.</summary>
[Category("Gpu")]
[Parallelizable(ParallelScope.None)]
public sealed class GpuMoeAlignTests : DeviceFixture
{
    private unsafe DeviceBufferHandle Upload<T>(T[] values) where T : unmanaged
    {
        var buffer = DeviceBufferHandle.Create(Device, Math.Max(1, values.Length * sizeof(T)));
        fixed (T* source = values)
            Glmrt.Check(Glmrt.copy_to_device(Stream, buffer, 0, source, (ulong)(values.Length * sizeof(T))));
        return buffer;
    }

    private unsafe T[] Download<T>(DeviceBufferHandle buffer, int count) where T : unmanaged
    {
        var values = new T[count];
        fixed (T* target = values)
            Glmrt.Check(Glmrt.copy_to_host(Stream, target, buffer, 0, (ulong)(count * sizeof(T))));
        Glmrt.Check(Glmrt.stream_synchronize(Stream));
        return values;
    }

    [TestCase(1)]
    [TestCase(4)]
    [TestCase(16)]
    public void Align_groups_every_assignment_by_expert_in_padded_runs(int tokensPerTile)
    {
        const int tokens = 37, k = 3, experts = 9;
        var random = new Random(tokensPerTile);
        var ids = new int[tokens * k];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = random.Next(-1, experts + 1); // −1 and E route nowhere and must be dropped
        ids[5] = 4;
        var p = Glmrt.moe_default_params();
        p.ExpertCount = experts;
        p.ExpertsPerToken = k;
        p.TokensPerTile = tokensPerTile;
        p.RowsPerWarp = 1;
        int assignments = tokens * k, capacity = assignments + Math.Min(experts, assignments) * (tokensPerTile - 1);
        using var input = Upload(ids);
        using var sorted = Upload(Enumerable.Repeat(int.MinValue, capacity).ToArray());
        using var tileExperts = Upload(Enumerable.Repeat(int.MinValue, capacity / tokensPerTile).ToArray());
        using var tileCount = Upload(new[] { -7 });
        Glmrt.Check(Glmrt.moe_align(Stream, p, input.Data, tokens, sorted.Data, tileExperts.Data, tileCount.Data));

        int tiles = Download<int>(tileCount, 1)[0];
        var order = Download<int>(sorted, capacity);
        var tileOf = Download<int>(tileExperts, capacity / tokensPerTile);
        int expectedTiles = Enumerable.Range(0, experts).Sum(e => (ids.Count(id => id == e) + tokensPerTile - 1) / tokensPerTile);
        Assert.That(tiles, Is.EqualTo(expectedTiles));
        var placed = new List<int>();
        int previousExpert = -1;
        for (int tile = 0; tile < tiles; tile++)
        {
            int e = tileOf[tile];
            Assert.That(e, Is.GreaterThanOrEqualTo(previousExpert), "runs are in expert order");
            previousExpert = e;
            var run = order.Skip(tile * tokensPerTile).Take(tokensPerTile).ToArray();
            foreach (int a in run.Where(a => a >= 0))
                Assert.That(ids[a], Is.EqualTo(e), $"assignment {a} sits in expert {e}'s tile");
            Assert.That(run.SkipWhile(a => a >= 0).All(a => a == -1), $"tile {tile}: padding (−1) only ends a run");
            placed.AddRange(run.Where(a => a >= 0));
        }
        Assert.That(placed, Is.EquivalentTo(Enumerable.Range(0, assignments).Where(a => ids[a] >= 0 && ids[a] < experts)));
    }

    [Test]
    public unsafe void Bf16_activations_give_the_same_result_as_their_float32_values()
    {
        const int hidden = 64, width = 32, experts = 3, k = 2, tokens = 4;
        var random = new Random(5);
        byte[] Bytes(int count) { var b = new byte[count]; random.NextBytes(b); for (int i = 0; i < b.Length; i++) b[i] &= 0x77; return b; }
        var matrices = new List<DeviceBufferHandle>();
        var table = new GlmrtExpertMatrices[experts];
        for (int e = 0; e < experts; e++)
        {
            var buffers = new[] { Bytes(width * hidden / 2), Bytes(width * hidden / 32), Bytes(width * hidden / 2), Bytes(width * hidden / 32), Bytes(hidden * width / 2), Bytes(hidden * width / 32) }
                .Select(b => Upload(b)).ToArray();
            matrices.AddRange(buffers);
            table[e] = new GlmrtExpertMatrices
            {
                Gate = buffers[0].Data, GateScales = buffers[1].Data, Up = buffers[2].Data, UpScales = buffers[3].Data, Down = buffers[4].Data, DownScales = buffers[5].Data,
            };
        }
        var bits = new ushort[tokens * hidden];
        for (int i = 0; i < bits.Length; i++)
            bits[i] = (ushort)(0x3F00 | random.Next(0, 0xFF) | (random.Next(2) << 15));
        var floats = bits.Select(b => BitConverter.Int32BitsToSingle(b << 16)).ToArray();
        int[] chosen = [0, 1, 1, 2, 0, 2, 0, 1];
        float[] gates = [0.5f, 0.25f, 1f, 0.75f, 0.125f, 0.5f, 1f, 1f];
        try
        {
            using var tableBuffer = Upload(table);
            using var ids = Upload(chosen);
            using var weights = Upload(gates);
            float[] Run(GlmrtDType activations, DeviceBufferHandle x)
            {
                var p = Glmrt.moe_default_params();
                (p.ActivationDType, p.Hidden, p.Intermediate, p.ExpertCount, p.ExpertsPerToken) = (activations, hidden, width, experts, k);
                ulong bytes;
                Glmrt.Check(Glmrt.moe_workspace_size(p, tokens, &bytes));
                using var workspace = DeviceBufferHandle.Create(Device, (long)bytes);
                using var y = Upload(Enumerable.Repeat(float.NaN, tokens * hidden).ToArray());
                Glmrt.Check(Glmrt.moe_experts(Stream, p, tableBuffer.Data, x.Data, ids.Data, weights.Data, tokens, workspace.Data, bytes, y.Data));
                return Download<float>(y, tokens * hidden);
            }
            using var x16 = Upload(bits);
            using var x32 = Upload(floats);
            var fromBf16 = Run(GlmrtDType.BF16, x16);
            var fromF32 = Run(GlmrtDType.F32, x32);
            Assert.That(fromBf16.Any(float.IsNaN), Is.False);
            Assert.That(fromBf16, Is.EqualTo(fromF32));
        }
        finally
        {
            matrices.ForEach(m => m.Dispose());
        }
    }

    [Test]
    public unsafe void Moe_rejects_a_short_workspace_and_an_unsupported_configuration_by_name()
    {
        var p = Glmrt.moe_default_params();
        (p.Hidden, p.Intermediate, p.ExpertCount, p.ExpertsPerToken) = (64, 32, 4, 2);
        ulong bytes;
        Glmrt.Check(Glmrt.moe_workspace_size(p, 3, &bytes));
        using var buffer = DeviceBufferHandle.Create(Device, 4096 + (long)bytes);
        var status = Glmrt.moe_experts(Stream, p, buffer.Data, buffer.Data, buffer.Data, buffer.Data, 3, buffer.Data, bytes - 1, buffer.Data);
        Assert.That(status, Is.EqualTo(GlmrtStatus.InvalidArgument));
        Assert.That(Glmrt.LastError(status), Does.Contain("glmrt_moe_experts").And.Contain("workspace"));
        p.TokensPerTile = 3;
        status = Glmrt.moe_workspace_size(p, 3, &bytes);
        Assert.That(Glmrt.LastError(status), Does.Contain("tokens_per_tile 3"));
        p.TokensPerTile = 8;
        p.Hidden = 48;
        status = Glmrt.moe_workspace_size(p, 3, &bytes);
        Assert.That(Glmrt.LastError(status), Does.Contain("multiples of 32"));
    }
}
