namespace GlmRuntime.Tokenization.PreTokenizers;

/// <summary>
/// Turns the alternating stream of (span, is-delimiter) parts of one piece into output pieces
/// according to a <see cref="SplitBehavior"/>, without materialising the list of parts. Each
/// behaviour reproduces the fold the Rust <c>NormalizedString::split</c> performs; at most one
/// piece is held back because only the previous part can be merged into.
/// </summary>
internal struct SplitFolder
{
    private readonly ReadOnlyMemory<char> _source;
    private readonly IPieceSink _output;
    private readonly bool _atTextStart;
    private readonly SplitBehavior _behavior;
    private readonly bool _invert;
    private int _pendingStart;
    private int _pendingEnd;
    private bool _hasPending;
    private bool _pendingIsLoneDelimiter;
    private bool _previousIsDelimiter;

    /// <summary>Folds parts of <paramref name="source"/> into <paramref name="output"/>.</summary>
    /// <param name="source">The piece being split.</param>
    /// <param name="atTextStart">Whether the source starts at the beginning of the input text.</param>
    /// <param name="output">Receives the non-empty resulting pieces.</param>
    /// <param name="behavior">What to do with delimiters.</param>
    /// <param name="invert">Swap delimiters and the text between them (Split's <c>invert</c>).</param>
    public SplitFolder(ReadOnlyMemory<char> source, bool atTextStart, IPieceSink output, SplitBehavior behavior, bool invert)
    {
        _source = source;
        _atTextStart = atTextStart;
        _output = output;
        _behavior = behavior;
        _invert = invert;
    }

    /// <summary>Adds the next part, [start, end) of the source; parts must tile the source in order.</summary>
    public void Add(int start, int end, bool isDelimiter)
    {
        isDelimiter ^= _invert;
        switch (_behavior)
        {
            case SplitBehavior.Isolated:
                Emit(start, end);
                break;
            case SplitBehavior.Removed:
                if (!isDelimiter)
                    Emit(start, end);
                break;
            case SplitBehavior.Contiguous:
                if (_hasPending && isDelimiter == _previousIsDelimiter)
                    _pendingEnd = end;
                else
                    Replace(start, end, false);
                break;
            case SplitBehavior.MergedWithPrevious:
                if (_hasPending && isDelimiter && !_previousIsDelimiter)
                    _pendingEnd = end;
                else
                    Replace(start, end, false);
                break;
            case SplitBehavior.MergedWithNext:
                // A delimiter followed by text forms one piece; nothing else merges.
                if (_hasPending && _pendingIsLoneDelimiter && !isDelimiter)
                {
                    _pendingEnd = end;
                    _pendingIsLoneDelimiter = false;
                }
                else
                {
                    Replace(start, end, isDelimiter);
                }
                break;
        }
        _previousIsDelimiter = isDelimiter;
    }

    /// <summary>Emits the piece held back, if any; call once after the last part.</summary>
    public void Finish()
    {
        if (_hasPending)
            Emit(_pendingStart, _pendingEnd);
        _hasPending = false;
    }

    private void Replace(int start, int end, bool isLoneDelimiter)
    {
        Finish();
        _pendingStart = start;
        _pendingEnd = end;
        _hasPending = true;
        _pendingIsLoneDelimiter = isLoneDelimiter;
    }

    private readonly void Emit(int start, int end)
    {
        if (end > start)
            _output.Accept(_source[start..end], _atTextStart && start == 0);
    }
}
