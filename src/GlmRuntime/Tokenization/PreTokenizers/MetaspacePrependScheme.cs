namespace GlmRuntime.Tokenization.PreTokenizers;

/// <summary>When Metaspace prepends its replacement character to a piece.</summary>
internal enum MetaspacePrependScheme
{
    /// <summary>To every piece that does not already start with it.</summary>
    Always,

    /// <summary>Only to the piece at the start of the input.</summary>
    First,

    /// <summary>Never.</summary>
    Never,
}
