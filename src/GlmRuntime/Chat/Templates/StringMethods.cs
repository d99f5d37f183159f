using System.Text;

namespace GlmRuntime.Chat.Templates;

/// <summary>Python <c>str</c> methods templates call, bound to their receiver (<c>content.strip()</c>).</summary>
internal static class StringMethods
{
    public static JinjaCallable? TryBind(string s, string name)
    {
        Func<Arguments, object?>? body = name switch
        {
            "strip" or "lstrip" or "rstrip" => a =>
            {
                a.Check(name, "chars");
                return PyString.Strip(s, a.GetOptionalString(0, "chars", name), left: name != "rstrip", right: name != "lstrip");
            },
            "split" or "rsplit" => a =>
            {
                a.Check(name, "sep", "maxsplit");
                string? sep = a.GetOptionalString(0, "sep", name);
                long max = a.GetInt(1, "maxsplit", -1, name);
                return name == "split" ? PyString.Split(s, sep, max) : PyString.RSplit(s, sep, max);
            },
            "splitlines" => a =>
            {
                a.Check(name, "keepends");
                return PyString.SplitLines(s).ConvertAll(l => (object?)l);
            },
            "startswith" or "endswith" => a =>
            {
                a.Check(name, "prefix", "start", "end");
                string target = SubstringByCodePoints(s, a.Get(1, "start"), a.Get(2, "end"));
                object? affix = a.Required(0, "prefix", name);
                IEnumerable<object?> options = affix is object?[] tuple ? tuple : [affix];
                return options.Any(o => o is string p
                    ? (name == "startswith" ? target.StartsWith(p, StringComparison.Ordinal) : target.EndsWith(p, StringComparison.Ordinal))
                    : throw new TemplateError($"{name} first arg must be str or a tuple of str, not {PyValues.TypeName(o)}"));
            },
            "upper" => a => NoArgs(a, name, s.ToUpperInvariant()),
            "lower" => a => NoArgs(a, name, s.ToLowerInvariant()),
            "title" => a => NoArgs(a, name, PyString.Title(s)),
            "capitalize" => a => NoArgs(a, name, PyString.Capitalize(s)),
            "swapcase" => a => NoArgs(a, name, string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)))),
            "replace" => a =>
            {
                a.Check(name, "old", "new", "count");
                return PyString.Replace(s, RequireString(a.Required(0, "old", name), name), RequireString(a.Required(1, "new", name), name), a.GetInt(2, "count", -1, name));
            },
            "find" or "index" or "rfind" or "rindex" => a =>
            {
                a.Check(name, "sub");
                string sub = RequireString(a.Required(0, "sub", name), name);
                int at = name[0] == 'r' ? s.LastIndexOf(sub, StringComparison.Ordinal) : s.IndexOf(sub, StringComparison.Ordinal);
                if (at < 0 && name.EndsWith("index", StringComparison.Ordinal))
                    throw new TemplateError("substring not found");
                return PyString.CodePointIndex(s, at);
            },
            "count" => a =>
            {
                a.Check(name, "sub");
                return PyString.Count(s, RequireString(a.Required(0, "sub", name), name));
            },
            "join" => a =>
            {
                a.Check(name, "iterable");
                return string.Join(s, PyValues.Iterate(a.Required(0, "iterable", name)).Select(item =>
                    item as string ?? throw new TemplateError($"sequence item: expected str instance, {PyValues.TypeName(item)} found")));
            },
            "format" => a => PyStringFormat.Format(s, a),
            "removeprefix" => a => s.StartsWith(RequireString(a.Required(0, "prefix", name), name), StringComparison.Ordinal) ? s[((string)a.Positional[0]!).Length..] : s,
            "removesuffix" => a => s.EndsWith(RequireString(a.Required(0, "suffix", name), name), StringComparison.Ordinal) ? s[..^((string)a.Positional[0]!).Length] : s,
            "isdigit" or "isnumeric" or "isdecimal" => a => NoArgs(a, name, s.Length > 0 && s.All(char.IsDigit)),
            "isalpha" => a => NoArgs(a, name, s.Length > 0 && s.All(char.IsLetter)),
            "isalnum" => a => NoArgs(a, name, s.Length > 0 && s.All(char.IsLetterOrDigit)),
            "isspace" => a => NoArgs(a, name, s.Length > 0 && s.All(PyString.IsWhitespace)),
            "islower" => a => NoArgs(a, name, s.Any(char.IsLower) && !s.Any(char.IsUpper)),
            "isupper" => a => NoArgs(a, name, s.Any(char.IsUpper) && !s.Any(char.IsLower)),
            "zfill" => a =>
            {
                long width = a.GetInt(0, "width", 0, name);
                int pad = (int)Math.Max(0, width - PyString.Length(s));
                return s.Length > 0 && s[0] is '+' or '-' ? s[0] + new string('0', pad) + s[1..] : new string('0', pad) + s;
            },
            "center" or "ljust" or "rjust" => a =>
            {
                a.Check(name, "width", "fillchar");
                long width = a.GetInt(0, "width", 0, name);
                string fill = a.GetOptionalString(1, "fillchar", name) ?? " ";
                int pad = (int)Math.Clamp(width - PyString.Length(s), 0, int.MaxValue);
                return name switch
                {
                    "ljust" => s + new StringBuilder().Insert(0, fill, pad),
                    "rjust" => new StringBuilder().Insert(0, fill, pad) + s,
                    _ => PyString.Center(s, width, fill),
                };
            },
            _ => null,
        };
        return body is null ? null : new BuiltinFunction($"str.{name}", (_, args) => body(args));
    }

    private static object? NoArgs(Arguments a, string name, object? result)
    {
        a.Check(name);
        return result;
    }

    private static string RequireString(object? value, string function) =>
        value as string ?? throw new TemplateError($"{function}() argument must be str, not {PyValues.TypeName(value)}");

    private static string SubstringByCodePoints(string s, object? start, object? end)
    {
        if (start is null or Undefined && end is null or Undefined)
            return s;
        return (string)MemberAccess.Slice(s, start, end, null)!;
    }
}
