using System.Text.Json;
using GlmRuntime.Chat;
using GlmRuntime.Chat.Templates;

namespace GlmRuntime.Tests.Chat.Templates;

/// <summary>Renders small templates with variables given as an anonymous object (serialised to JSON, key order kept).</summary>
internal static class Jinja
{
    public static string Render(string template, object? variables = null) =>
        ChatTemplate.Parse(template).Render(JsonSerializer.SerializeToElement(variables ?? new { }));

    public static string Render(string template, TemplateLimits limits, object? variables = null) =>
        ChatTemplate.Parse(template, null, limits).Render(JsonSerializer.SerializeToElement(variables ?? new { }));

    public static ChatTemplateException Fails(string template, object? variables = null) =>
        Assert.Throws<ChatTemplateException>(() => Render(template, variables))!;
}
