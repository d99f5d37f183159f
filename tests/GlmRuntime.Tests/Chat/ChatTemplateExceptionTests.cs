using GlmRuntime.Chat;

namespace GlmRuntime.Tests.Chat;

public class ChatTemplateExceptionTests
{
    [Test]
    public void MessageNamesTemplateLineColumnAndReason()
    {
        var ex = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("a\n{% if x %}", "my-model"))!;
        Assert.That(ex.TemplateName, Is.EqualTo("my-model"));
        Assert.That(ex.Line, Is.EqualTo(2));
        Assert.That(ex.Column, Is.EqualTo(4));
        Assert.That(ex.Reason, Does.StartWith("unclosed 'if' block"));
        Assert.That(ex.Message, Is.EqualTo("my-model: line 2, column 4: " + ex.Reason));
        Assert.That(ex.IsRaisedByTemplate, Is.False);
    }

    [Test]
    public void RaiseExceptionIsFlagged()
    {
        var ex = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{{ raise_exception('bad roles') }}").Render(new Dictionary<string, object?>()))!;
        Assert.That(ex.IsRaisedByTemplate, Is.True);
        Assert.That(ex.Reason, Is.EqualTo("bad roles"));
        Assert.That(ex.Message, Is.EqualTo("line 1, column 4: bad roles"));
    }
}
