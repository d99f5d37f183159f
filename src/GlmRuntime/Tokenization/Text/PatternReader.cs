using System.Text.Json;

namespace GlmRuntime.Tokenization.Text;

/// <summary>
/// Reads a <c>pattern</c> field of the form <c>{"String": "..."}</c> or <c>{"Regex": "..."}</c>
/// (Split pre-tokenizer, Replace normaliser and decoder).
/// </summary>
internal static class PatternReader
{
    /// <summary>Returns the literal or the compiled regex (exactly one is non-null).</summary>
    public static (string? Literal, CodePointRegex? Regex) Read(TokenizerJsonContext context, JsonElement component, string path)
    {
        JsonElement pattern = context.Get(component, path, "pattern");
        string patternPath = TokenizerJsonContext.Child(path, "pattern");
        context.RequireObject(pattern, patternPath);
        if (TokenizerJsonContext.TryGet(pattern, "String", out JsonElement literal))
            return (context.AsString(literal, patternPath + ".String"), null);
        if (!TokenizerJsonContext.TryGet(pattern, "Regex", out JsonElement regex))
            throw context.Error(patternPath, "expected {\"String\": ...} or {\"Regex\": ...}.");
        string regexPath = patternPath + ".Regex";
        try
        {
            return (null, new CodePointRegex(context.AsString(regex, regexPath)));
        }
        catch (ArgumentException ex)
        {
            throw context.Error(regexPath, ex.Message, ex);
        }
    }
}
