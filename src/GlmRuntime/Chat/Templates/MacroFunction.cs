namespace GlmRuntime.Chat.Templates;

/// <summary>
/// A <c>{% macro %}</c> (or the <c>caller</c> of a <c>{% call %}</c> block) closed over the scope it was defined in.
/// Calling it renders its body to a string.
/// </summary>
internal sealed class MacroFunction : JinjaCallable
{
    public MacroFunction(string name, IReadOnlyList<Node.Parameter> parameters, IReadOnlyList<Node> body, Scope closure, Interpreter interpreter)
    {
        Name = name;
        Parameters = parameters;
        Body = body;
        Closure = closure;
        Interpreter = interpreter;
    }

    public override string Name { get; }

    public IReadOnlyList<Node.Parameter> Parameters { get; }

    public IReadOnlyList<Node> Body { get; }

    public Scope Closure { get; }

    public Interpreter Interpreter { get; }

    public override object? Invoke(ExpressionEvaluator evaluator, Arguments args) => Interpreter.InvokeMacro(this, args);
}
