namespace GlmRuntime.Tokenization.PreTokenizers;

/// <summary>What a split does with the delimiters it finds (the Rust <c>SplitDelimiterBehavior</c>).</summary>
internal enum SplitBehavior
{
    /// <summary>Delimiters are dropped.</summary>
    Removed,

    /// <summary>Each delimiter becomes a piece of its own.</summary>
    Isolated,

    /// <summary>A delimiter is glued to the end of the piece before it.</summary>
    MergedWithPrevious,

    /// <summary>A delimiter is glued to the start of the piece after it.</summary>
    MergedWithNext,

    /// <summary>Adjacent delimiters form one piece.</summary>
    Contiguous,
}
