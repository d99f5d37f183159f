using System.Runtime.CompilerServices;
using System.Text;

namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Executes statement nodes for one render. Holds the per-render budgets (iterations, output size,
/// macro depth); a new interpreter is made per render, so a parsed template stays immutable and thread-safe.
/// </summary>
internal sealed class Interpreter
{
    private readonly string? _templateName;
    private long _iterations;
    private long _written;
    private int _callDepth;

    public Interpreter(string? templateName, TemplateLimits limits)
    {
        _templateName = templateName;
        Limits = limits;
        Expressions = new ExpressionEvaluator(this);
    }

    public TemplateLimits Limits { get; }

    public ExpressionEvaluator Expressions { get; }

    public string Render(IReadOnlyList<Node> body, Scope scope)
    {
        var output = new StringBuilder();
        Execute(body, scope, output);
        return output.ToString();
    }

    public ControlFlow Execute(IReadOnlyList<Node> nodes, Scope scope, StringBuilder output)
    {
        foreach (Node node in nodes)
        {
            ControlFlow flow;
            try
            {
                flow = ExecuteNode(node, scope, output);
            }
            catch (TemplateError error)
            {
                throw Located(error, node.Line, node.Column);
            }
            if (flow != ControlFlow.Normal)
                return flow;
        }
        return ControlFlow.Normal;
    }

    public ChatTemplateException Located(TemplateError error, int line, int column) =>
        new(error.Message, line, column, _templateName, error.RaisedByTemplate, error);

    private ControlFlow ExecuteNode(Node node, Scope scope, StringBuilder output)
    {
        switch (node)
        {
            case Node.Text text:
                Write(output, text.Value);
                return ControlFlow.Normal;
            case Node.Output o:
                Write(output, PyFormat.Str(Expressions.Eval(o.Value, scope)));
                return ControlFlow.Normal;
            case Node.If conditional:
                foreach (Node.Branch branch in conditional.Branches)
                {
                    if (PyValues.IsTruthy(Expressions.Eval(branch.Condition, scope)))
                        return Execute(branch.Body, scope, output);
                }
                return conditional.Else is null ? ControlFlow.Normal : Execute(conditional.Else, scope, output);
            case Node.For loop:
                return ExecuteFor(loop, scope, output);
            case Node.Set set:
                Assign(set.Target, Expressions.Eval(set.Value, scope), scope);
                return ControlFlow.Normal;
            case Node.SetBlock setBlock:
                Assign(setBlock.Target, RenderBlock(setBlock.Body, setBlock.Filter, scope), scope);
                return ControlFlow.Normal;
            case Node.FilterBlock filterBlock:
                Write(output, PyFormat.Str(RenderBlock(filterBlock.Body, filterBlock.Filter, scope)));
                return ControlFlow.Normal;
            case Node.Macro macro:
                scope.Set(macro.Name, new MacroFunction(macro.Name, macro.Parameters, macro.Body, scope, this));
                return ControlFlow.Normal;
            case Node.CallBlock callBlock:
                var caller = new MacroFunction("caller", callBlock.CallerParameters, callBlock.Body, scope, this);
                object? result = Expressions.EvalCall(callBlock.Call, scope, new("caller", caller));
                Write(output, PyFormat.Str(result));
                return ControlFlow.Normal;
            case Node.With with:
                var inner = new Scope(scope);
                foreach (var (target, value) in with.Assignments)
                    Assign(target, Expressions.Eval(value, inner), inner);
                return Execute(with.Body, inner, output);
            case Node.Block block:
                return Execute(block.Body, scope, output);
            case Node.Do doNode:
                Expressions.Eval(doNode.Value, scope);
                return ControlFlow.Normal;
            case Node.Break:
                return ControlFlow.Break;
            case Node.Continue:
                return ControlFlow.Continue;
            default:
                throw new TemplateError($"unsupported node {node.GetType().Name}");
        }
    }

    private ControlFlow ExecuteFor(Node.For loop, Scope scope, StringBuilder output)
    {
        // Snapshot: the body may append to the list it iterates (ns.items.append(...)).
        List<object?> items = PyValues.Iterate(Expressions.Eval(loop.Iterable, scope)).ToList();
        if (loop.Filter is not null)
        {
            items = items.Where(item =>
            {
                CountIteration();
                var filterScope = new Scope(scope);
                Assign(loop.Target, item, filterScope);
                return PyValues.IsTruthy(Expressions.Eval(loop.Filter, filterScope));
            }).ToList();
        }

        var context = new LoopContext(items);
        for (int i = 0; i < items.Count; i++)
        {
            CountIteration();
            context.Index0 = i;
            // jinja2 gives every iteration a fresh scope: a `set` in the body is gone by the next iteration.
            var iterationScope = new Scope(scope);
            iterationScope.Set("loop", context);
            Assign(loop.Target, items[i], iterationScope);
            if (Execute(loop.Body, iterationScope, output) == ControlFlow.Break)
                break;
        }
        if (items.Count == 0 && loop.Else is not null)
            return Execute(loop.Else, scope, output);
        return ControlFlow.Normal;
    }

    private object? RenderBlock(IReadOnlyList<Node> body, Expr? filter, Scope scope)
    {
        // The captured body gets its own scope (as in jinja2): assignments inside it do not leak.
        var captured = new StringBuilder();
        Execute(body, new Scope(scope), captured);
        if (filter is null)
            return captured.ToString();
        var filterScope = new Scope(scope);
        filterScope.Set(Node.BodyPlaceholder, captured.ToString());
        return Expressions.Eval(filter, filterScope);
    }

    private void Assign(Expr target, object? value, Scope scope)
    {
        switch (target)
        {
            case Expr.Name name:
                scope.Set(name.Identifier, value);
                break;
            case Expr.TupleLiteral tuple:
                IReadOnlyList<object?> values = PyValues.Iterate(value);
                if (values.Count != tuple.Items.Count)
                {
                    throw new TemplateError(values.Count > tuple.Items.Count
                        ? $"too many values to unpack (expected {tuple.Items.Count})"
                        : $"not enough values to unpack (expected {tuple.Items.Count}, got {values.Count})");
                }
                for (int i = 0; i < values.Count; i++)
                    Assign(tuple.Items[i], values[i], scope);
                break;
            case Expr.GetAttribute { Target: Expr.Name owner } attribute:
                if (!scope.TryLookup(owner.Identifier, out object? ns) || ns is not JinjaNamespace jinjaNamespace)
                    throw new TemplateError($"cannot assign attribute '{attribute.Attribute}' on '{owner.Identifier}': it is not a namespace() object");
                jinjaNamespace.Attributes[attribute.Attribute] = value;
                break;
            default:
                throw new TemplateError("invalid assignment target");
        }
    }

    /// <summary>Renders a macro call: binds arguments Jinja's way (missing ones are undefined, extras go to varargs/kwargs).</summary>
    public string InvokeMacro(MacroFunction macro, Arguments args)
    {
        if (++_callDepth > Limits.MaxCallDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            _callDepth--;
            throw new TemplateError($"macro '{macro.Name}' is nested too deeply (more than {Limits.MaxCallDepth} calls); is it recursing without end?");
        }
        try
        {
            var scope = new Scope(macro.Closure);
            var bound = new HashSet<string>(StringComparer.Ordinal);
            var varargs = new List<object?>();
            var kwargs = new JinjaDict();
            for (int i = 0; i < args.Positional.Count; i++)
            {
                if (i < macro.Parameters.Count)
                {
                    scope.Set(macro.Parameters[i].Name, args.Positional[i]);
                    bound.Add(macro.Parameters[i].Name);
                }
                else
                {
                    varargs.Add(args.Positional[i]);
                }
            }
            foreach (var (name, value) in args.Named)
            {
                if (macro.Parameters.Any(p => p.Name == name))
                {
                    if (!bound.Add(name))
                        throw new TemplateError($"macro '{macro.Name}' got multiple values for argument '{name}'");
                    scope.Set(name, value);
                }
                else if (name == "caller")
                {
                    scope.Set("caller", value);
                }
                else
                {
                    kwargs[name] = value;
                }
            }
            foreach (Node.Parameter parameter in macro.Parameters)
            {
                if (!bound.Contains(parameter.Name))
                {
                    scope.Set(parameter.Name, parameter.Default is null
                        ? new Undefined($"parameter '{parameter.Name}' of macro '{macro.Name}' was not provided")
                        : Expressions.Eval(parameter.Default, scope));
                }
            }
            scope.Set("varargs", varargs);
            scope.Set("kwargs", kwargs);

            var output = new StringBuilder();
            Execute(macro.Body, scope, output);
            return output.ToString();
        }
        finally
        {
            _callDepth--;
        }
    }

    public void CountIteration()
    {
        if (++_iterations > Limits.MaxIterations)
            throw new TemplateError($"loop iteration limit exceeded ({Limits.MaxIterations} iterations in one render)");
    }

    private void Write(StringBuilder output, string text)
    {
        _written += text.Length;
        if (_written > Limits.MaxOutputChars)
            throw new TemplateError($"output size limit exceeded ({Limits.MaxOutputChars} characters in one render)");
        output.Append(text);
    }
}
