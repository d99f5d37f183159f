namespace GlmRuntime.Chat.Templates;

/// <summary>A callable implemented in C#: globals such as <c>range</c> and bound methods such as <c>'a'.upper</c>.</summary>
internal sealed class BuiltinFunction : JinjaCallable
{
    private readonly Func<ExpressionEvaluator, Arguments, object?> _body;

    public BuiltinFunction(string name, Func<ExpressionEvaluator, Arguments, object?> body)
    {
        Name = name;
        _body = body;
    }

    public override string Name { get; }

    public override object? Invoke(ExpressionEvaluator evaluator, Arguments args) => _body(evaluator, args);
}
