namespace GlmRuntime.Chat.Templates;

/// <summary>
/// The object <c>namespace(...)</c> returns: the one value a template may assign attributes on
/// (<c>{% set ns.x = 1 %}</c>), which is how state escapes a loop body's scope.
/// </summary>
internal sealed class JinjaNamespace
{
    public JinjaDict Attributes { get; } = new();
}
