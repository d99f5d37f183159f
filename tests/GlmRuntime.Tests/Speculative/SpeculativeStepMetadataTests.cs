using GlmRuntime.Speculative;

namespace GlmRuntime.Tests.Speculative;

/// <summary>The round's metadata layout: rows per pass and request, positions, KV slots and cache lengths.</summary>
[TestFixture]
public sealed class SpeculativeStepMetadataTests
{
    // Pages of 4 positions. r0: L=10, M=9 (one pending slot), 3 drafts; r1: L=5, M=2 (three pending), 1 draft;
    // r2: L=7, no drafts (a plain decode in the same verify pass).
    private static readonly int[] Table =
    [
        4, 7, 9, 1,
        2, 3, -1, -1,
        5, 6, -1, -1,
    ];

    [Test]
    public void A_ragged_round_of_three_requests()
    {
        var m = SpeculativeStepMetadata.Build([10, 5, 7], [9, 2, 7], [3, 1, 0], Table, pageTableStride: 4, pageSize: 4);

        Assert.That(m.Steps, Is.EqualTo(3));
        Assert.That(m.VerifyPass, Is.EqualTo(3));
        // pass 0: r0 slot 9, r1 slots 2..4 | pass 1: r0 slot 10 | pass 2: r0 slot 11 | verify: r0 10..13, r1 5..6, r2 7.
        Assert.That(m.RowStarts, Is.EqualTo(new[] { 0, 1, 4, 4, 5, 5, 5, 6, 6, 6, 10, 12, 13 }));
        Assert.That(m.Positions, Is.EqualTo(new[] { 9, 2, 3, 4, 10, 11, 10, 11, 12, 13, 5, 6, 7 }));
        Assert.That(m.Slots, Is.EqualTo(new[] { 37, 10, 11, 12, 38, 39, 38, 39, 4, 5, 13, 14, 27 }));
        Assert.That(m.CacheLengths, Is.EqualTo(new[] { 10, 5, 0, 11, 0, 0, 12, 0, 0, 14, 7, 8 }));
        Assert.That(m.PassRows(0), Is.EqualTo((0, 4)));
        Assert.That(m.PassRows(3), Is.EqualTo((6, 7)));
        Assert.That(m.RowCount(0, 1), Is.EqualTo(3));
        Assert.That(m.RowStart(3, 2), Is.EqualTo(12));
    }

    [Test]
    public void A_round_without_drafts_is_a_verify_pass_of_plain_decodes()
    {
        var m = SpeculativeStepMetadata.Build([10, 7], [9, 7], [0, 0], [4, 7, 9, 1, 5, 6, -1, -1], pageTableStride: 4, pageSize: 4);
        Assert.That(m.Steps, Is.Zero);
        Assert.That(m.Positions, Is.EqualTo(new[] { 10, 7 }));
        Assert.That(m.CacheLengths, Is.EqualTo(new[] { 11, 8 }));
    }

    [Test]
    public void A_row_without_a_page_is_refused_naming_the_request()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            SpeculativeStepMetadata.Build([10, 5], [9, 4], [3, 3], [4, 7, 9, 1, 2, -1, -1, -1], pageTableStride: 4, pageSize: 4));
        Assert.That(error!.Message, Does.Contain("Request 1").And.Contain("position 4"));
    }

    [Test]
    public void Drafting_without_a_pending_mtp_slot_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            SpeculativeStepMetadata.Build([10], [10], [2], [4, 7, 9, 1], pageTableStride: 4, pageSize: 4));
        Assert.That(error!.Message, Does.Contain("Request 0").And.Contain("pending MTP slot"));
    }
}
