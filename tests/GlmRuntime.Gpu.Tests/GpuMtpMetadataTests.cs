using GlmRuntime.Native;
using GlmRuntime.Speculative;

namespace GlmRuntime.Gpu.Tests;

/// <summary>The fused MTP metadata kernel against the managed <see cref="SpeculativeStepMetadata"/>: same arrays, same layout.</summary>
[Category("Gpu")]
[Parallelizable(ParallelScope.None)]
public sealed class GpuMtpMetadataTests : DeviceFixture
{
    private sealed record Result(int[] RowStarts, int[] CacheLengths, int[] Positions, int[] Slots, int Error);

    private unsafe Result Run(int[] kv, int[] mtp, int[] drafts, int[] table, int stride, int pageSize, int maxRows)
    {
        int requests = kv.Length, steps = drafts.Length == 0 ? 0 : drafts.Max(), pairs = (steps + 1) * requests;
        int[] inputs = [.. kv, .. mtp, .. drafts, .. table];
        using var input = DeviceBufferHandle.Create(Device, inputs.Length * 4L + 4);
        using var output = DeviceBufferHandle.Create(Device, (pairs * 2L + 2 + maxRows * 2L) * 4 + 4);
        fixed (int* source = inputs)
            Glmrt.Check(Glmrt.copy_to_device(Stream, input, 0, source, (ulong)inputs.Length * 4));
        nint at = input.Data, o = output.Data;
        nint rowStarts = o, lengths = o + (pairs + 1) * 4, positions = lengths + pairs * 4, slots = positions + maxRows * 4, error = slots + maxRows * 4;
        Glmrt.Check(Glmrt.mtp_metadata(Stream, at, at + requests * 4, at + requests * 8, at + requests * 12, requests, stride, pageSize, steps,
            maxRows, rowStarts, lengths, positions, slots, error));
        var all = new int[pairs * 2 + 2 + maxRows * 2];
        fixed (int* target = all)
            Glmrt.Check(Glmrt.copy_to_host(Stream, target, output, 0, (ulong)all.Length * 4));
        Glmrt.Check(Glmrt.stream_synchronize(Stream));
        int rows = all[pairs];
        int Offset(nint pointer) => (int)((pointer - o) / 4);
        return new Result(all[..(pairs + 1)], all[Offset(lengths)..Offset(positions)], all[Offset(positions)..(Offset(positions) + Math.Min(rows, maxRows))],
            all[Offset(slots)..(Offset(slots) + Math.Min(rows, maxRows))], all[^1]);
    }

    [Test]
    public void A_ragged_round_matches_the_managed_layout()
    {
        int[] kv = [10, 5, 7], mtp = [9, 2, 7], drafts = [3, 1, 0];
        int[] table = [4, 7, 9, 1, 2, 3, -1, -1, 5, 6, -1, -1];
        var expected = SpeculativeStepMetadata.Build(kv, mtp, drafts, table, 4, 4);
        var gpu = Run(kv, mtp, drafts, table, 4, 4, maxRows: 64);
        Assert.That(gpu.Error, Is.EqualTo(-1));
        Assert.That(gpu.RowStarts, Is.EqualTo(expected.RowStarts));
        Assert.That(gpu.CacheLengths, Is.EqualTo(expected.CacheLengths));
        Assert.That(gpu.Positions, Is.EqualTo(expected.Positions));
        Assert.That(gpu.Slots, Is.EqualTo(expected.Slots));
    }

    [Test]
    public void Random_rounds_match_the_managed_layout()
    {
        var random = new Random(31);
        for (int round = 0; round < 20; round++)
        {
            int requests = random.Next(1, 24), pageSize = random.Next(1, 9), stride = 16;
            var kv = new int[requests];
            var mtp = new int[requests];
            var drafts = new int[requests];
            var table = new int[requests * stride];
            for (int r = 0; r < requests; r++)
            {
                kv[r] = random.Next(1, 60);
                mtp[r] = Math.Max(0, kv[r] - random.Next(0, 4));
                drafts[r] = mtp[r] < kv[r] ? random.Next(0, 6) : 0;
                int pages = (kv[r] + drafts[r] + pageSize) / pageSize;
                for (int c = 0; c < stride; c++)
                    table[r * stride + c] = c < pages ? random.Next(0, 1000) : -1;
                if ((kv[r] + drafts[r]) / pageSize >= stride)
                    (kv[r], mtp[r], drafts[r]) = (1, 1, 0); // keep every row inside the table's 16 columns
            }
            var expected = SpeculativeStepMetadata.Build(kv, mtp, drafts, table, stride, pageSize);
            var gpu = Run(kv, mtp, drafts, table, stride, pageSize, maxRows: 2048);
            Assert.That(gpu.Error, Is.EqualTo(-1), $"round {round}");
            Assert.That(gpu.RowStarts, Is.EqualTo(expected.RowStarts), $"round {round}");
            Assert.That(gpu.CacheLengths, Is.EqualTo(expected.CacheLengths), $"round {round}");
            Assert.That(gpu.Positions, Is.EqualTo(expected.Positions), $"round {round}");
            Assert.That(gpu.Slots, Is.EqualTo(expected.Slots), $"round {round}");
        }
    }

    [Test]
    public void A_missing_page_names_the_request_and_too_many_rows_are_refused()
    {
        var missing = Run([10, 5], [9, 4], [3, 3], [4, 7, 9, 1, 2, -1, -1, -1], 4, 4, maxRows: 64);
        Assert.That(missing.Error, Is.EqualTo(1));
        var overflow = Run([10, 5], [9, 2], [3, 1], [4, 7, 9, 1, 2, 3, -1, -1], 4, 4, maxRows: 3);
        Assert.That(overflow.Error, Is.EqualTo(-2));
    }
}
