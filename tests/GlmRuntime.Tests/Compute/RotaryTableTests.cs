using GlmRuntime.Compute;
using GlmRuntime.Compute.Cpu;
using GlmRuntime.Configuration;

namespace GlmRuntime.Tests.Compute;

[TestFixture]
public sealed class RotaryTableTests
{
    [Test]
    public void Default_rope_has_the_tiny_configs_frequencies()
    {
        var table = RotaryTable.Create(new RopeConfig(10000), 8, interleaved: true);
        Assert.That(table.InverseFrequencies, Is.EqualTo(new[] { 1f, 0.1f, 0.01f, 0.001f }).Within(1e-7));
        Assert.That(table.AttentionFactor, Is.EqualTo(1f));
    }

    [Test]
    public void Yarn_blends_interpolated_and_extrapolated_frequencies_over_the_ramp()
    {
        // DeepSeek-V3.2: factor 40 over 4096 positions, beta_fast 32 / beta_slow 1, d_r 64 → ramp over dims 10..23.
        var rope = new RopeConfig(10000, "yarn", Factor: 40, OriginalMaxPositionEmbeddings: 4096, BetaFast: 32, BetaSlow: 1, Mscale: 1, MscaleAllDim: 1);
        var table = RotaryTable.Create(rope, 64, interleaved: true);
        (int Index, double Expected)[] expected =
        [
            (0, 1.0), (5, 0.23713737726211548), (10, 0.05623413249850273), (12, 0.026879358664155008),
            (15, 0.008334508747793734), (20, 0.0007905694073997436), (25, 1.8747354624792932e-05), (31, 3.3338037610519677e-06),
        ];
        foreach (var (i, value) in expected)
            Assert.That(table.InverseFrequencies[i], Is.EqualTo(value).Within(1e-4).Percent, $"θ_{i}");
        Assert.That(table.AttentionFactor, Is.EqualTo(1f), "mscale / mscale_all_dim = 1 when both are 1");
    }

    [Test]
    public void Yarn_scales_the_softmax_by_mscale_squared()
    {
        string json = GlmRuntime.Tests.Configuration.ConfigSamples.DeepSeekV32;
        var config = GlmConfig.Parse(json);
        double m = 0.1 * 1.0 * Math.Log(40) + 1;
        Assert.That(config.SoftmaxScale, Is.EqualTo(m * m / Math.Sqrt(192)).Within(1e-12));
    }

    [Test]
    public void Interleaved_rotates_adjacent_pairs_and_half_split_rotates_halves()
    {
        var interleaved = RotaryTable.Create(new RopeConfig(10000), 4, interleaved: true);
        var halfSplit = RotaryTable.Create(new RopeConfig(10000), 4, interleaved: false);
        float[] a = [1, 2, 3, 4];
        float[] b = [1, 2, 3, 4];
        RopeKernel.Apply(a, 1, 4, 0, [1], interleaved);
        RopeKernel.Apply(b, 1, 4, 0, [1], halfSplit);
        float c0 = MathF.Cos(1), s0 = MathF.Sin(1), c1 = MathF.Cos(0.01f), s1 = MathF.Sin(0.01f);
        // Interleaved: (x0, x1) by θ0 = 1, (x2, x3) by θ1 = 0.01.
        Assert.That(a, Is.EqualTo(new[] { 1 * c0 - 2 * s0, 1 * s0 + 2 * c0, 3 * c1 - 4 * s1, 3 * s1 + 4 * c1 }).Within(1e-6));
        // Half-split: (x0, x2) by θ0, (x1, x3) by θ1.
        Assert.That(b, Is.EqualTo(new[] { 1 * c0 - 3 * s0, 2 * c1 - 4 * s1, 1 * s0 + 3 * c0, 2 * s1 + 4 * c1 }).Within(1e-6));
    }

    [Test]
    public void Rope_touches_only_its_slice_of_each_head()
    {
        var table = RotaryTable.Create(new RopeConfig(10000), 2, interleaved: true);
        float[] data = [9, 9, 1, 0, 9, 9, 0, 1]; // two heads of 4, rope slice at offset 2
        RopeKernel.Apply(data, 2, 4, 2, [2], table);
        Assert.That(data[0..2], Is.EqualTo(new float[] { 9, 9 }));
        Assert.That(data[4..6], Is.EqualTo(new float[] { 9, 9 }));
        Assert.That(data[2], Is.EqualTo(MathF.Cos(2)).Within(1e-6));
        Assert.That(data[3], Is.EqualTo(MathF.Sin(2)).Within(1e-6));
    }
}
