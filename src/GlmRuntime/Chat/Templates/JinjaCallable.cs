namespace GlmRuntime.Chat.Templates;

/// <summary>Anything a template can call: built-in functions, bound methods, macros and <c>caller</c>.</summary>
internal abstract class JinjaCallable
{
    /// <summary>Name for error messages and printing.</summary>
    public abstract string Name { get; }

    public abstract object? Invoke(ExpressionEvaluator evaluator, Arguments args);
}
