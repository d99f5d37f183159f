namespace GlmRuntime.Sampling;

/// <summary>
/// Finds stop strings in streamed text deltas, holding back text that could still become one.
/// </summary>
/// <remarks>
/// Invariant: the held-back text is the longest suffix of everything received that is a proper prefix of some stop
/// string. So any match that ends in a new delta starts inside held + delta, and only that short string is searched.
/// When several stop strings match, the one that completes first wins (smallest end; among equal ends the longest,
/// which starts first): that is what a token-by-token stream would see, so the result does not depend on how the
/// text was cut into deltas. Comparison is ordinal (UTF-16 code units), so a surrogate pair split across deltas is
/// matched like any other text.
/// </remarks>
internal sealed class StopStringMatcher
{
    private readonly string[] _stops;
    private readonly bool _includeStopString;
    private string _held = "";

    /// <summary>Creates a matcher for one request's output.</summary>
    /// <param name="stops">The stop strings (none: text passes straight through).</param>
    /// <param name="includeStopString">Emit the matched stop string as the end of the text.</param>
    /// <exception cref="ArgumentException">A stop string is null or empty.</exception>
    public StopStringMatcher(IReadOnlyList<string> stops, bool includeStopString)
    {
        ArgumentNullException.ThrowIfNull(stops);
        foreach (string stop in stops)
        {
            if (string.IsNullOrEmpty(stop))
                throw new ArgumentException("Stop strings must not be null or empty.", nameof(stops));
        }
        _stops = [.. stops];
        _includeStopString = includeStopString;
    }

    /// <summary>True once a stop string has matched; <see cref="Append"/> may not be called again.</summary>
    public bool IsStopped { get; private set; }

    /// <summary>The stop string that matched, or null.</summary>
    public string? MatchedStop { get; private set; }

    /// <summary>Number of characters currently held back.</summary>
    public int HeldLength => _held.Length;

    /// <summary>Takes the next piece of output text and says what may be emitted now.</summary>
    /// <exception cref="InvalidOperationException">A stop string already matched.</exception>
    public StopMatch Append(string delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (IsStopped)
            throw new InvalidOperationException("A stop string already matched; the output has ended.");
        if (_stops.Length == 0 || delta.Length == 0)
            return new StopMatch(delta, false);

        string text = _held.Length == 0 ? delta : string.Concat(_held, delta);
        var span = text.AsSpan();

        // The first stop to complete: each stop's earliest occurrence is also its earliest end.
        int bestStart = -1, bestEnd = int.MaxValue;
        string? best = null;
        foreach (string stop in _stops)
        {
            int start = span.IndexOf(stop.AsSpan());
            if (start < 0)
                continue;
            int end = start + stop.Length;
            if (end < bestEnd || (end == bestEnd && start < bestStart))
                (bestStart, bestEnd, best) = (start, end, stop);
        }
        if (best is not null)
        {
            IsStopped = true;
            MatchedStop = best;
            _held = "";
            return new StopMatch(text[..(_includeStopString ? bestEnd : bestStart)], true);
        }

        int hold = HeldSuffixLength(span);
        _held = hold == 0 ? "" : text[^hold..];
        return new StopMatch(hold == 0 ? text : text[..^hold], false);
    }

    /// <summary>
    /// Ends the output without a match: returns the held-back text (empty after a match, whose text was already
    /// emitted or dropped) and clears it.
    /// </summary>
    public string Flush()
    {
        string held = _held;
        _held = "";
        return held;
    }

    /// <summary>Length of the longest suffix of <paramref name="text"/> that is a proper prefix of some stop string.</summary>
    private int HeldSuffixLength(ReadOnlySpan<char> text)
    {
        int longest = 0;
        foreach (string stop in _stops)
        {
            for (int k = Math.Min(stop.Length - 1, text.Length); k > longest; k--)
            {
                if (text[^k..].SequenceEqual(stop.AsSpan(0, k)))
                {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }
}
