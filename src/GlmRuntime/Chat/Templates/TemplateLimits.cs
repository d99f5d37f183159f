namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Guards against runaway or hostile templates. Chat templates are data shipped with checkpoints, so a
/// render must end with an error rather than hang, exhaust memory or overflow the stack.
/// </summary>
internal sealed record TemplateLimits
{
    /// <summary>Defaults sized far above what real chat templates need.</summary>
    public static TemplateLimits Default { get; } = new();

    /// <summary>Total loop iterations (all loops of one render together).</summary>
    public long MaxIterations { get; init; } = 1_000_000;

    /// <summary>Total characters written to the output and to captured blocks, and the longest string one operation may build.</summary>
    public long MaxOutputChars { get; init; } = 64L * 1024 * 1024;

    /// <summary>Nested macro/caller invocations (recursive macros).</summary>
    public int MaxCallDepth { get; init; } = 100;

    /// <summary>Syntactic nesting: blocks inside blocks, brackets inside brackets.</summary>
    public int MaxNestingDepth { get; init; } = 100;

    /// <summary>Depth of the evaluated expression tree (long operator chains build deep trees).</summary>
    public int MaxEvaluationDepth { get; init; } = 2_000;

    /// <summary>Nesting of container values converted, printed or JSON-dumped.</summary>
    public int MaxValueDepth { get; init; } = 256;
}
