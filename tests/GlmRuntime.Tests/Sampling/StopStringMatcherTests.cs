using GlmRuntime.Sampling;

namespace GlmRuntime.Tests.Sampling;

[TestFixture]
public sealed class StopStringMatcherTests
{
    /// <summary>Feeds the deltas until a stop; returns the emitted text (Flush included when none) and whether it stopped.</summary>
    private static (string Text, bool Stopped) Run(StopStringMatcher matcher, params string[] deltas)
    {
        var text = new System.Text.StringBuilder();
        foreach (string delta in deltas)
        {
            var match = matcher.Append(delta);
            text.Append(match.Emit);
            if (match.Stopped)
                return (text.ToString(), true);
        }
        return (text.Append(matcher.Flush()).ToString(), false);
    }

    [Test]
    public void Without_stop_strings_text_passes_straight_through()
    {
        var matcher = new StopStringMatcher([], includeStopString: false);
        string delta = "Hello, world";
        Assert.That(matcher.Append(delta).Emit, Is.SameAs(delta));
        Assert.That(matcher.Flush(), Is.Empty);
    }

    [Test]
    public void A_stop_split_across_deltas_is_held_back_then_matched()
    {
        var matcher = new StopStringMatcher(["END"], includeStopString: false);
        Assert.That(matcher.Append("Hello E"), Is.EqualTo(new StopMatch("Hello ", false)));
        Assert.That(matcher.HeldLength, Is.EqualTo(1));
        Assert.That(matcher.Append("N"), Is.EqualTo(new StopMatch("", false)));
        Assert.That(matcher.Append("D and more"), Is.EqualTo(new StopMatch("", true)));
        Assert.That(matcher.IsStopped, Is.True);
        Assert.That(matcher.MatchedStop, Is.EqualTo("END"));
    }

    [Test]
    public void The_include_flag_keeps_the_stop_string_and_drops_what_follows()
    {
        Assert.That(Run(new StopStringMatcher(["END"], true), "Hello E", "N", "Dxyz"), Is.EqualTo(("Hello END", true)));
        Assert.That(Run(new StopStringMatcher(["END"], true), "abENDxyz"), Is.EqualTo(("abEND", true)));
        Assert.That(Run(new StopStringMatcher(["END"], false), "abENDxyz"), Is.EqualTo(("ab", true)));
    }

    [Test]
    public void Held_text_is_released_when_it_stops_being_a_prefix_or_by_flush()
    {
        var matcher = new StopStringMatcher(["END"], includeStopString: false);
        Assert.That(matcher.Append("a E").Emit, Is.EqualTo("a "));
        Assert.That(matcher.Append("Nx").Emit, Is.EqualTo("ENx"));
        Assert.That(matcher.Append(" EN").Emit, Is.EqualTo(" "));
        Assert.That(matcher.Flush(), Is.EqualTo("EN"));
        Assert.That(matcher.Flush(), Is.Empty);
    }

    [Test]
    public void The_earliest_match_wins_whatever_the_list_order()
    {
        var matcher = new StopStringMatcher(["world", "hello"], includeStopString: false);
        Assert.That(Run(matcher, "say hello world"), Is.EqualTo(("say ", true)));
        Assert.That(matcher.MatchedStop, Is.EqualTo("hello"));
    }

    [Test]
    public void The_first_stop_to_complete_wins_however_the_text_is_split()
    {
        // "ab" completes before "xabc" does: a token-by-token stream stops at "ab", so a single delta must too.
        string[] stops = ["xabc", "ab"];
        Assert.That(Run(new StopStringMatcher(stops, false), "xabc"), Is.EqualTo(("x", true)));
        Assert.That(Run(new StopStringMatcher(stops, false), "x", "a", "b", "c"), Is.EqualTo(("x", true)));

        // Ending together, the longer (earlier-starting) stop wins.
        var matcher = new StopStringMatcher(["bc", "abc"], includeStopString: false);
        Assert.That(Run(matcher, "zab", "c"), Is.EqualTo(("z", true)));
        Assert.That(matcher.MatchedStop, Is.EqualTo("abc"));
    }

    [Test]
    public void Overlapping_prefixes_are_found()
    {
        Assert.That(Run(new StopStringMatcher(["aab"], false), "a", "a", "a", "b"), Is.EqualTo(("a", true)));
        Assert.That(Run(new StopStringMatcher(["aab"], false), "aaab"), Is.EqualTo(("a", true)));
        Assert.That(Run(new StopStringMatcher(["abab"], false), "xaba", "bab"), Is.EqualTo(("x", true)));
        Assert.That(Run(new StopStringMatcher(["aab"], false), "aa", "aa", "c"), Is.EqualTo(("aaaac", false)));
    }

    [Test]
    public void Several_stops_hold_back_the_longest_possible_start()
    {
        var matcher = new StopStringMatcher(["</tool>", "<|user|>"], includeStopString: false);
        Assert.That(matcher.Append("result: <").Emit, Is.EqualTo("result: "));
        Assert.That(matcher.Append("|us").Emit, Is.Empty);
        Assert.That(matcher.Append("ed|").Emit, Is.EqualTo("<|used|"));
        Assert.That(matcher.Append(" </to").Emit, Is.EqualTo(" "));
        Assert.That(matcher.Append("ol>"), Is.EqualTo(new StopMatch("", true)));
        Assert.That(matcher.MatchedStop, Is.EqualTo("</tool>"));
    }

    [Test]
    public void Unicode_stops_match_across_split_surrogate_pairs()
    {
        // 🛑 is U+1F6D1: the surrogate pair D83D DED1, here cut between two deltas.
        var matcher = new StopStringMatcher(["🛑"], includeStopString: true);
        Assert.That(matcher.Append("ok \uD83D").Emit, Is.EqualTo("ok "));
        Assert.That(matcher.Append("\uDED1 more"), Is.EqualTo(new StopMatch("🛑", true)));

        Assert.That(Run(new StopStringMatcher(["。"], false), "你好", "。世界"), Is.EqualTo(("你好", true)));
        Assert.That(Run(new StopStringMatcher(["終わり"], false), "まだ終", "わらない"), Is.EqualTo(("まだ終わらない", false)));
    }

    [Test]
    public void After_a_match_append_throws_and_flush_is_empty()
    {
        var matcher = new StopStringMatcher(["x"], includeStopString: false);
        Assert.That(matcher.Append("abx").Stopped, Is.True);
        Assert.Throws<InvalidOperationException>(() => matcher.Append("more"));
        Assert.That(matcher.Flush(), Is.Empty);
    }

    [Test]
    public void Empty_stop_strings_are_rejected() =>
        Assert.Throws<ArgumentException>(() => new StopStringMatcher(["ok", ""], includeStopString: false));

    [Test]
    public void Any_split_gives_the_same_result_as_the_whole_text()
    {
        string[] stops = ["END", "aab", "NDa", "ba"];
        var random = new Random(17);
        for (int trial = 0; trial < 500; trial++)
        {
            string text = new([.. Enumerable.Range(0, random.Next(1, 30)).Select(_ => "abEND"[random.Next(5)])]);
            var deltas = new List<string>();
            for (int at = 0; at < text.Length;)
            {
                int length = Math.Min(random.Next(0, 5), text.Length - at);
                deltas.Add(text.Substring(at, length));
                at += length;
            }

            // Reference: the first-completing stop over the whole text.
            var matches = stops.Select(s => (Stop: s, Start: text.IndexOf(s, StringComparison.Ordinal)))
                .Where(m => m.Start >= 0).OrderBy(m => m.Start + m.Stop.Length).ThenBy(m => m.Start).ToList();
            var expected = matches.Count == 0 ? (text, false) : (text[..matches[0].Start], true);

            Assert.That(Run(new StopStringMatcher(stops, false), [.. deltas]), Is.EqualTo(expected), $"text '{text}' split as [{string.Join("|", deltas)}]");
        }
    }
}
