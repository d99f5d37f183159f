namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Python arithmetic on engine values. bool counts as int; int results that overflow 64 bits fail
/// (Python would switch to big integers, which no chat template needs). A maximum length
/// caps the size of strings and lists built by <c>+</c> and <c>*</c>.
/// </summary>
internal static class Operators
{
    public static object? Binary(string op, object? left, object? right, long maxLength)
    {
        if (op == "~")
            return CheckLength(PyFormat.Str(left) + PyFormat.Str(right), maxLength);
        if (left is Undefined ul)
            throw ul.Fail();
        if (right is Undefined ur)
            throw ur.Fail();
        try
        {
            return op switch
            {
                "+" => Add(left, right, maxLength),
                "-" => Numeric(op, left, right, (a, b) => checked(a - b), (a, b) => a - b),
                "*" => Multiply(left, right, maxLength),
                "/" => Divide(left, right),
                "//" => FloorDivide(left, right),
                "%" => Modulo(left, right),
                "**" => Power(left, right),
                _ => throw new TemplateError($"unknown operator '{op}'"),
            };
        }
        catch (OverflowException)
        {
            throw new TemplateError($"integer overflow in '{op}'");
        }
    }

    public static object? Unary(string op, object? operand)
    {
        if (op == "not")
            return !PyValues.IsTruthy(operand);
        if (operand is Undefined u)
            throw u.Fail();
        return (op, operand) switch
        {
            ("-", long l) => l == long.MinValue ? throw new TemplateError("integer overflow in unary '-'") : -l,
            ("-", bool b) => b ? -1L : 0L,
            ("-", double d) => -d,
            ("+", long or double) => operand,
            ("+", bool b) => b ? 1L : 0L,
            _ => throw new TemplateError($"bad operand type for unary {op}: '{PyValues.TypeName(operand)}'"),
        };
    }

    private static object Add(object? a, object? b, long maxLength)
    {
        switch (a, b)
        {
            case (string sa, string sb):
                return CheckLength(sa + sb, maxLength);
            case (List<object?> la, List<object?> lb):
                CheckLength(la.Count + (long)lb.Count, maxLength);
                return new List<object?>([.. la, .. lb]);
            case (object?[] ta, object?[] tb):
                CheckLength(ta.Length + (long)tb.Length, maxLength);
                return (object?[])[.. ta, .. tb];
        }
        if (a is string or List<object?> or object?[])
            throw new TemplateError($"can only concatenate {PyValues.TypeName(a)} (not \"{PyValues.TypeName(b)}\") to {PyValues.TypeName(a)}");
        return Numeric("+", a, b, (x, y) => checked(x + y), (x, y) => x + y);
    }

    private static object Multiply(object? a, object? b, long maxLength)
    {
        if (b is string or List<object?> or object?[] && a is long or bool)
            (a, b) = (b, a);
        if (a is string or List<object?> or object?[] && b is long or bool)
        {
            long times = Math.Max(0, PyValues.ToLong(b));
            long unit = PyValues.Length(a);
            if (unit * (double)times > maxLength)
                throw new TemplateError($"result of '*' would exceed {maxLength} items");
            switch (a)
            {
                case string s:
                    return string.Concat(Enumerable.Repeat(s, (int)times));
                case List<object?> list:
                    return Enumerable.Range(0, (int)times).SelectMany(_ => list).ToList();
                default:
                    return Enumerable.Range(0, (int)times).SelectMany(_ => (object?[])a).ToArray();
            }
        }
        return Numeric("*", a, b, (x, y) => checked(x * y), (x, y) => x * y);
    }

    private static object Divide(object? a, object? b)
    {
        RequireNumbers("/", a, b);
        double divisor = PyValues.ToDouble(b);
        if (divisor == 0)
            throw new TemplateError("division by zero");
        return PyValues.ToDouble(a) / divisor;
    }

    private static object FloorDivide(object? a, object? b)
    {
        RequireNumbers("//", a, b);
        if (a is double || b is double)
        {
            double y = PyValues.ToDouble(b);
            if (y == 0)
                throw new TemplateError("float floor division by zero");
            return Math.Floor(PyValues.ToDouble(a) / y);
        }
        long x = PyValues.ToLong(a), d = PyValues.ToLong(b);
        if (d == 0)
            throw new TemplateError("integer division or modulo by zero");
        long q = x / d;
        if ((x % d != 0) && ((x < 0) != (d < 0)))
            q--;
        return q;
    }

    private static object Modulo(object? a, object? b)
    {
        if (a is string format)
            return PyStringFormat.Percent(format, b);
        RequireNumbers("%", a, b);
        if (a is double || b is double)
        {
            double x = PyValues.ToDouble(a), y = PyValues.ToDouble(b);
            if (y == 0)
                throw new TemplateError("float modulo");
            double m = x % y;
            if (m != 0 && (m < 0) != (y < 0))
                m += y;
            return m;
        }
        long lx = PyValues.ToLong(a), ly = PyValues.ToLong(b);
        if (ly == 0)
            throw new TemplateError("integer division or modulo by zero");
        long r = lx % ly;
        if (r != 0 && (r < 0) != (ly < 0))
            r += ly;
        return r;
    }

    private static object Power(object? a, object? b)
    {
        RequireNumbers("**", a, b);
        if (a is double || b is double || PyValues.ToLong(b) < 0)
        {
            double x = PyValues.ToDouble(a), y = PyValues.ToDouble(b);
            if (x == 0 && y < 0)
                throw new TemplateError("0.0 cannot be raised to a negative power");
            return Math.Pow(x, y);
        }
        long result = 1, baseValue = PyValues.ToLong(a), exponent = PyValues.ToLong(b);
        while (exponent > 0)
        {
            if ((exponent & 1) != 0)
                result = checked(result * baseValue);
            exponent >>= 1;
            if (exponent > 0)
                baseValue = checked(baseValue * baseValue);
        }
        return result;
    }

    private static object Numeric(string op, object? a, object? b, Func<long, long, long> integer, Func<double, double, double> real)
    {
        RequireNumbers(op, a, b);
        if (a is double || b is double)
            return real(PyValues.ToDouble(a), PyValues.ToDouble(b));
        return integer(PyValues.ToLong(a), PyValues.ToLong(b));
    }

    private static void RequireNumbers(string op, object? a, object? b)
    {
        if (!PyValues.IsNumber(a) || !PyValues.IsNumber(b))
            throw new TemplateError($"unsupported operand type(s) for {op}: '{PyValues.TypeName(a)}' and '{PyValues.TypeName(b)}'");
    }

    private static long CheckLength(long length, long maxLength) =>
        length > maxLength ? throw new TemplateError($"value would exceed {maxLength} items") : length;

    private static string CheckLength(string s, long maxLength) =>
        s.Length > maxLength ? throw new TemplateError($"string would exceed {maxLength} characters") : s;
}
