using System.Runtime.CompilerServices;

namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Evaluates expression nodes. A value-level <see cref="TemplateError"/> is turned into a
/// <see cref="ChatTemplateException"/> at the innermost node, so errors point at the exact construct.
/// </summary>
internal sealed class ExpressionEvaluator
{
    private readonly Interpreter _interpreter;
    private int _depth;

    public ExpressionEvaluator(Interpreter interpreter) => _interpreter = interpreter;

    public TemplateLimits Limits => _interpreter.Limits;

    public object? Eval(Expr expr, Scope scope)
    {
        try
        {
            // Long operator chains build deep left-leaning trees; bound the recursion explicitly.
            if (++_depth > Limits.MaxEvaluationDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
                throw new TemplateError($"expression is nested too deeply (more than {Limits.MaxEvaluationDepth} levels)");
            return EvalCore(expr, scope);
        }
        catch (TemplateError error)
        {
            throw _interpreter.Located(error, expr.Line, expr.Column);
        }
        finally
        {
            _depth--;
        }
    }

    private object? EvalCore(Expr expr, Scope scope)
    {
        switch (expr)
        {
            case Expr.Literal literal:
                return literal.Value;
            case Expr.Name name:
                return scope.TryLookup(name.Identifier, out object? value) ? value : Undefined.ForName(name.Identifier);
            case Expr.ListLiteral list:
                return list.Items.Select(item => Eval(item, scope)).ToList();
            case Expr.TupleLiteral tuple:
                return tuple.Items.Select(item => Eval(item, scope)).ToArray();
            case Expr.DictLiteral dictLiteral:
                var dict = new JinjaDict();
                foreach (var (key, item) in dictLiteral.Pairs)
                    dict[Eval(key, scope)!] = Eval(item, scope);
                return dict;
            case Expr.GetAttribute attribute:
                return MemberAccess.GetAttribute(Eval(attribute.Target, scope), attribute.Attribute);
            case Expr.GetItem item:
                return MemberAccess.GetItem(Eval(item.Target, scope), Eval(item.Key, scope));
            case Expr.Slice slice:
                return MemberAccess.Slice(Eval(slice.Target, scope), EvalOptional(slice.Start, scope), EvalOptional(slice.Stop, scope), EvalOptional(slice.Step, scope));
            case Expr.Call call:
                return EvalCall(call, scope, null);
            case Expr.Filter filter:
                object? input = Eval(filter.Target, scope);
                return Filters.Apply(this, filter.FilterName, input, EvalArguments(filter.Args, filter.Kwargs, scope, null));
            case Expr.Test test:
                object? subject = Eval(test.Target, scope);
                bool passed = TemplateTests.Apply(test.TestName, subject, test.Args.Select(a => Eval(a, scope)).ToList());
                return passed != test.Negated;
            case Expr.Unary unary:
                return Operators.Unary(unary.Operator, Eval(unary.Operand, scope));
            case Expr.Binary { Operator: "and" } and:
                object? left = Eval(and.Left, scope);
                return PyValues.IsTruthy(left) ? Eval(and.Right, scope) : left;
            case Expr.Binary { Operator: "or" } or:
                object? first = Eval(or.Left, scope);
                return PyValues.IsTruthy(first) ? first : Eval(or.Right, scope);
            case Expr.Binary binary:
                return Operators.Binary(binary.Operator, Eval(binary.Left, scope), Eval(binary.Right, scope), Limits.MaxOutputChars);
            case Expr.Compare compare:
                return EvalCompare(compare, scope);
            case Expr.Conditional conditional:
                if (PyValues.IsTruthy(Eval(conditional.Condition, scope)))
                    return Eval(conditional.Then, scope);
                return conditional.Otherwise is null
                    ? new Undefined("the inline if-expression evaluated to false and no else section was defined")
                    : Eval(conditional.Otherwise, scope);
            default:
                throw new TemplateError($"unsupported expression {expr.GetType().Name}");
        }
    }

    private object? EvalOptional(Expr? expr, Scope scope) => expr is null ? null : Eval(expr, scope);

    private bool EvalCompare(Expr.Compare compare, Scope scope)
    {
        object? left = Eval(compare.First, scope);
        foreach (var (op, operand) in compare.Rest)
        {
            object? right = Eval(operand, scope);
            bool holds = op switch
            {
                "==" => PyValues.PyEquals(left, right),
                "!=" => !PyValues.PyEquals(left, right),
                "<" => PyValues.Compare(left, right, op) < 0,
                "<=" => PyValues.Compare(left, right, op) <= 0,
                ">" => PyValues.Compare(left, right, op) > 0,
                ">=" => PyValues.Compare(left, right, op) >= 0,
                "in" => PyValues.Contains(right, left),
                "not in" => !PyValues.Contains(right, left),
                _ => throw new TemplateError($"unknown comparison '{op}'"),
            };
            if (!holds)
                return false;
            left = right;
        }
        return true;
    }

    /// <summary>Evaluates a call; <paramref name="extra"/> adds a keyword argument (the <c>caller</c> of a call block).</summary>
    public object? EvalCall(Expr.Call call, Scope scope, KeyValuePair<string, object?>? extra)
    {
        object? callee = Eval(call.Callee, scope);
        Arguments args = EvalArguments(call.Args, call.Kwargs, scope, extra);
        try
        {
            return callee switch
            {
                JinjaCallable function => function.Invoke(this, args),
                Undefined undefined => throw undefined.Fail(),
                _ => throw new TemplateError($"'{PyValues.TypeName(callee)}' object is not callable"),
            };
        }
        catch (TemplateError error)
        {
            throw _interpreter.Located(error, call.Line, call.Column);
        }
    }

    private Arguments EvalArguments(IReadOnlyList<Expr> args, IReadOnlyList<KeyValuePair<string, Expr>> kwargs, Scope scope, KeyValuePair<string, object?>? extra)
    {
        var positional = new List<object?>(args.Count);
        foreach (Expr arg in args)
            positional.Add(Eval(arg, scope));
        var named = new List<KeyValuePair<string, object?>>(kwargs.Count + 1);
        foreach (var (name, value) in kwargs)
            named.Add(new(name, Eval(value, scope)));
        if (extra is { } e)
            named.Add(e);
        return new Arguments(positional, named);
    }
}
