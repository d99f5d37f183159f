using GlmRuntime.Chat;

namespace GlmRuntime.Tests.Chat;

/// <summary>The reasoning/answer split on synthetic engine updates (text deltas with their token ids).</summary>
public sealed class ReasoningSplitterTests
{
    private const int EndId = 99;

    // A toy vocabulary: the decode the splitter measures reasoning with must match the engine's text.
    private static readonly Dictionary<int, string> Vocab = new()
    {
        [1] = "Let", [2] = " me", [3] = " think", [4] = "\n", [5] = "Hi", [6] = " there", [EndId] = "",
    };

    private static string Decode(int[] ids) => string.Concat(ids.Select(id => Vocab[id]));

    private static ReasoningSplitter ById() => new(EndId, Decode);

    /// <summary>Feeds the updates and returns the concatenated reasoning and answer, with the stream flushed.</summary>
    private static (string Reasoning, string Answer) Run(ReasoningSplitter splitter, params (string Text, int[] Ids)[] updates)
    {
        string reasoning = "", answer = "";
        foreach (var (text, ids) in updates)
        {
            var (r, a) = splitter.Push(text, ids);
            Assert.That(answer.Length == 0 || r.Length == 0, "no reasoning after the answer started");
            reasoning += r;
            answer += a;
        }
        return (reasoning + splitter.Flush(), answer);
    }

    [Test]
    public void The_end_token_splits_one_token_updates()
    {
        var splitter = ById();
        var result = Run(splitter, ("Let", [1]), (" me", [2]), ("", [EndId]), ("Hi", [5]), (" there", [6]));
        Assert.That(result, Is.EqualTo(("Let me", "Hi there")));
        Assert.That(splitter.ReasoningTokenCount, Is.EqualTo(3), "two reasoning tokens and the tag");
    }

    [Test]
    public void The_end_token_in_the_middle_of_an_update_splits_its_text()
    {
        var splitter = ById();
        var result = Run(splitter, ("Let", [1]), (" me thinkHi", [2, 3, EndId, 5]), (" there", [6]));
        Assert.That(result, Is.EqualTo(("Let me think", "Hi there")));
        Assert.That(splitter.ReasoningTokenCount, Is.EqualTo(4));
    }

    [Test]
    public void The_end_token_first_in_an_update_gives_it_all_to_the_answer()
    {
        var result = Run(ById(), ("Let me", [1, 2]), ("Hi there", [EndId, 5, 6]));
        Assert.That(result, Is.EqualTo(("Let me", "Hi there")));
    }

    [Test]
    public void Reasoning_text_the_engine_held_back_stays_reasoning_when_released_after_the_end_token()
    {
        // A stop-string prefix ("\n") is held back by the engine and arrives together with the answer's first text.
        var result = Run(ById(), ("Let", [1]), ("", [4]), ("", [EndId]), ("\nHi", [5]), (" there", [6]));
        Assert.That(result, Is.EqualTo(("Let\n", "Hi there")));
    }

    [Test]
    public void Without_the_end_token_everything_is_reasoning()
    {
        var splitter = ById();
        var result = Run(splitter, ("Let", [1]), (" me", [2]), (" think", [3]));
        Assert.That(result, Is.EqualTo(("Let me think", "")));
        Assert.That(splitter.ReasoningTokenCount, Is.EqualTo(3));
    }

    [Test]
    public void A_literal_tag_in_the_middle_of_an_update_splits_and_is_dropped()
    {
        var splitter = new ReasoningSplitter(endTokenId: null, decode: null);
        var result = Run(splitter, ("Let me", [1, 2]), (" think</think>Hi", [3, EndId, 5]), (" there", [6]));
        Assert.That(result, Is.EqualTo(("Let me think", "Hi there")));
        Assert.That(splitter.ReasoningTokenCount, Is.Null, "tokens cannot be attributed from text");
    }

    [Test]
    public void A_literal_tag_split_across_updates_is_found()
    {
        var splitter = new ReasoningSplitter(null, null);
        Assert.That(splitter.Push("Let me think<", [1]), Is.EqualTo(("Let me think", "")), "a possible tag start is held back");
        Assert.That(splitter.Push("/thi", [2]), Is.EqualTo(("", "")));
        Assert.That(splitter.Push("nk>Hi", [3]), Is.EqualTo(("", "Hi")));
        Assert.That(splitter.Push(" there", [4]), Is.EqualTo(("", " there")));
        Assert.That(splitter.Flush(), Is.Empty);
    }

    [Test]
    public void A_held_back_tag_start_that_is_not_a_tag_is_released()
    {
        var splitter = new ReasoningSplitter(null, null);
        Assert.That(splitter.Push("a </th", [1]), Is.EqualTo(("a ", "")));
        Assert.That(splitter.Push("ing", [2]), Is.EqualTo(("</thing", "")));
        Assert.That(splitter.Push("x <", [3]), Is.EqualTo(("x ", "")));
        Assert.That(splitter.Flush(), Is.EqualTo("<"), "the stream ended inside the reasoning");
    }

    [Test]
    public void A_literal_tag_is_also_found_when_detecting_by_id()
    {
        // A tokenizer where the model spelled the tag out of ordinary pieces: the first end marker wins.
        var result = Run(ById(), ("Let</th", [1, 2]), ("ink>Hi", [3, 5]), ("", [EndId]), (" there", [6]));
        Assert.That(result, Is.EqualTo(("Let", "Hi there")));
    }

    [Test]
    public void Text_after_the_split_is_answer_even_when_it_holds_the_tag()
    {
        var result = Run(new ReasoningSplitter(null, null), ("a</think>b", [1]), ("</think>c", [2]));
        Assert.That(result, Is.EqualTo(("a", "b</think>c")));
    }
}
