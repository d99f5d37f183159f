using System.Globalization;
using System.Text;

namespace GlmRuntime.Chat.Templates;

/// <summary>
/// Global functions chat templates rely on: jinja2's <c>range</c>, <c>namespace</c>, <c>dict</c>, plus the
/// <c>raise_exception</c> and <c>strftime_now</c> helpers transformers adds to its template environment.
/// </summary>
internal static class Globals
{
    public static void Install(Scope scope, TemplateLimits limits)
    {
        scope.Set("range", new BuiltinFunction("range", (_, a) => Range(a, limits)));
        scope.Set("namespace", new BuiltinFunction("namespace", (_, a) => Namespace(a)));
        scope.Set("dict", new BuiltinFunction("dict", (_, a) =>
        {
            var dict = a.Positional.Count switch
            {
                0 => new JinjaDict(),
                1 when a.Positional[0] is JinjaDict source => source.Copy(),
                _ => throw new TemplateError("dict() accepts keyword arguments or one dict"),
            };
            foreach (var (key, value) in a.Named)
                dict[key] = value;
            return dict;
        }));
        scope.Set("raise_exception", new BuiltinFunction("raise_exception", (_, a) =>
            throw new TemplateError(PyFormat.Str(a.Get(0, "message", "")), raisedByTemplate: true)));
        scope.Set("strftime_now", new BuiltinFunction("strftime_now", (_, a) =>
            Strftime(DateTime.Now, PyFormat.Str(a.Required(0, "format", "strftime_now")))));
    }

    private static List<object?> Range(Arguments a, TemplateLimits limits)
    {
        if (a.Named.Count > 0 || a.Positional.Count is 0 or > 3)
            throw new TemplateError("range() takes 1 to 3 positional arguments");
        long start = 0, step = 1, stop;
        if (a.Positional.Count == 1)
        {
            stop = PyValues.ToLong(a.Positional[0]);
        }
        else
        {
            start = PyValues.ToLong(a.Positional[0]);
            stop = PyValues.ToLong(a.Positional[1]);
            if (a.Positional.Count == 3)
                step = PyValues.ToLong(a.Positional[2]);
        }
        if (step == 0)
            throw new TemplateError("range() arg 3 must not be zero");
        double count = Math.Max(0, Math.Ceiling(((double)stop - start) / step));
        if (count > limits.MaxIterations)
            throw new TemplateError($"range() of {count} items exceeds the iteration limit ({limits.MaxIterations})");
        var result = new List<object?>((int)count);
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
            result.Add(i);
        return result;
    }

    private static JinjaNamespace Namespace(Arguments a)
    {
        var ns = new JinjaNamespace();
        foreach (object? positional in a.Positional)
        {
            if (positional is not JinjaDict dict)
                throw new TemplateError($"namespace() positional arguments must be dicts, not {PyValues.TypeName(positional)}");
            foreach (var (key, value) in dict)
                ns.Attributes[key] = value;
        }
        foreach (var (key, value) in a.Named)
            ns.Attributes[key] = value;
        return ns;
    }

    /// <summary>The C <c>strftime</c> directives chat templates use (dates in system prompts), in the invariant locale.</summary>
    public static string Strftime(DateTime time, string format)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                sb.Append(format[i]);
                continue;
            }
            char d = format[++i];
            sb.Append(d switch
            {
                'a' => time.ToString("ddd", ci),
                'A' => time.ToString("dddd", ci),
                'b' or 'h' => time.ToString("MMM", ci),
                'B' => time.ToString("MMMM", ci),
                'd' => time.ToString("dd", ci),
                'e' => time.Day.ToString(ci).PadLeft(2),
                'H' => time.ToString("HH", ci),
                'I' => time.ToString("hh", ci),
                'j' => time.DayOfYear.ToString("000", ci),
                'm' => time.ToString("MM", ci),
                'M' => time.ToString("mm", ci),
                'p' => time.ToString("tt", ci),
                'S' => time.ToString("ss", ci),
                'y' => time.ToString("yy", ci),
                'Y' => time.Year.ToString(ci),
                'F' => time.ToString("yyyy-MM-dd", ci),
                'T' => time.ToString("HH:mm:ss", ci),
                'w' => ((int)time.DayOfWeek).ToString(ci),
                '%' => "%",
                _ => "%" + d,
            });
        }
        return sb.ToString();
    }
}
