using System.Text.Json;
using GlmRuntime.Chat;
using Microsoft.Extensions.AI;

namespace GlmRuntime.Tests.Chat;

/// <summary>Microsoft.Extensions.AI messages and options to GLM turns, sampling parameters and the thinking flag.</summary>
public sealed class ChatRequestMapperTests
{
    private static readonly SamplingParams Defaults = new() { Temperature = 0.7, TopP = 0.95, TopK = 20, MaxTokens = 100, Seed = 3 };

    private static SamplingParams Map(ChatOptions? options) => ChatRequestMapper.ToSamplingParams(options, Defaults, client: null!);

    [Test]
    public void Options_overlay_the_defaults()
    {
        var sampling = Map(new ChatOptions
        {
            Temperature = 0.5f,
            TopP = 0.75f,
            TopK = 7,
            MaxOutputTokens = 12,
            StopSequences = ["END"],
            Seed = 42,
            FrequencyPenalty = 0.25f,
            PresencePenalty = -0.5f,
            AdditionalProperties = new() { [GlmChatClient.MinPKey] = 0.125, [GlmChatClient.RepetitionPenaltyKey] = 1.25f },
        });
        Assert.Multiple(() =>
        {
            Assert.That(sampling.Temperature, Is.EqualTo(0.5));
            Assert.That(sampling.TopP, Is.EqualTo(0.75));
            Assert.That(sampling.TopK, Is.EqualTo(7));
            Assert.That(sampling.MaxTokens, Is.EqualTo(12));
            Assert.That(sampling.Stop, Is.EqualTo(new[] { "END" }));
            Assert.That(sampling.Seed, Is.EqualTo(42));
            Assert.That(sampling.FrequencyPenalty, Is.EqualTo(0.25));
            Assert.That(sampling.PresencePenalty, Is.EqualTo(-0.5));
            Assert.That(sampling.MinP, Is.EqualTo(0.125));
            Assert.That(sampling.RepetitionPenalty, Is.EqualTo(1.25));
        });
    }

    [Test]
    public void Unset_options_keep_the_defaults()
    {
        Assert.That(Map(null), Is.SameAs(Defaults));
        Assert.That(Map(new ChatOptions()), Is.EqualTo(Defaults));
        Assert.That(Map(new ChatOptions { TopK = 5 }), Is.EqualTo(Defaults with { TopK = 5 }));
    }

    [Test]
    public void Additional_properties_may_be_json_or_text()
    {
        var options = new ChatOptions { AdditionalProperties = new() };
        options.AdditionalProperties[GlmChatClient.MinPKey] = JsonDocument.Parse("0.5").RootElement;
        options.AdditionalProperties[GlmChatClient.RepetitionPenaltyKey] = "1.5";
        var sampling = Map(options);
        Assert.That((sampling.MinP, sampling.RepetitionPenalty), Is.EqualTo((0.5, 1.5)));
    }

    [Test]
    public void A_raw_sampling_params_replaces_the_mapping()
    {
        var raw = SamplingParams.Greedy with { MaxTokens = 3, MinP = 0.2 };
        var options = new ChatOptions { Temperature = 1.5f, MaxOutputTokens = 50, RawRepresentationFactory = _ => raw };
        Assert.That(Map(options), Is.SameAs(raw));
        // Anything else from the factory is not ours: the options are mapped as usual.
        Assert.That(Map(new ChatOptions { TopK = 5, RawRepresentationFactory = _ => "not sampling params" }).TopK, Is.EqualTo(5));
    }

    [Test]
    public void Invalid_options_throw_naming_the_option()
    {
        Assert.That(() => Map(new ChatOptions { Temperature = -1 }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("Temperature"));
        Assert.That(() => Map(new ChatOptions { MaxOutputTokens = 0 }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("MaxOutputTokens")
                .And.Message.Contains("MaxOutputTokens"));
        Assert.That(() => Map(new ChatOptions { StopSequences = [""] }),
            Throws.TypeOf<ArgumentException>().With.Property("ParamName").EqualTo("StopSequences"));
        Assert.That(() => Map(new ChatOptions { AdditionalProperties = new() { [GlmChatClient.MinPKey] = 1.5 } }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo(GlmChatClient.MinPKey));
        Assert.That(() => Map(new ChatOptions { AdditionalProperties = new() { [GlmChatClient.RepetitionPenaltyKey] = "lots" } }),
            Throws.TypeOf<ArgumentException>().With.Property("ParamName").EqualTo(GlmChatClient.RepetitionPenaltyKey));
        Assert.That(() => Map(new ChatOptions { RawRepresentationFactory = _ => new SamplingParams { TopP = 0 } }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo(nameof(SamplingParams.TopP)));
    }

    [Test]
    public void Thinking_is_on_unless_switched_off()
    {
        static ChatOptions With(object value) => new() { AdditionalProperties = new() { [GlmChatClient.EnableThinkingKey] = value } };
        Assert.That(ChatRequestMapper.IsThinkingEnabled(null), Is.True);
        Assert.That(ChatRequestMapper.IsThinkingEnabled(new ChatOptions()), Is.True);
        Assert.That(ChatRequestMapper.IsThinkingEnabled(With(false)), Is.False);
        Assert.That(ChatRequestMapper.IsThinkingEnabled(With(JsonDocument.Parse("false").RootElement)), Is.False);
        Assert.That(ChatRequestMapper.IsThinkingEnabled(With("False")), Is.False);
        var noEffort = new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None } };
        Assert.That(ChatRequestMapper.IsThinkingEnabled(noEffort), Is.False);
        noEffort.AdditionalProperties = new() { [GlmChatClient.EnableThinkingKey] = true };
        Assert.That(ChatRequestMapper.IsThinkingEnabled(noEffort), Is.True, "the explicit flag wins");
        Assert.That(() => ChatRequestMapper.IsThinkingEnabled(With("maybe")),
            Throws.ArgumentException.With.Property("ParamName").EqualTo(GlmChatClient.EnableThinkingKey));
    }

    [Test]
    public void Messages_keep_roles_and_text_and_drop_past_reasoning()
    {
        ChatMessage[] messages =
        [
            new(ChatRole.User, "Hi"),
            new(ChatRole.Assistant, [new TextReasoningContent("secret thoughts"), new TextContent("Hello"), new TextContent("!")]),
            new(ChatRole.Tool, "42"),
            new(ChatRole.User, "Bye"),
        ];
        Assert.That(ChatRequestMapper.ToGlmMessages(messages, "Be brief."), Is.EqualTo(new GlmChatMessage[]
        {
            new("system", "Be brief."), new("user", "Hi"), new("assistant", "Hello!"), new("tool", "42"), new("user", "Bye"),
        }));
        Assert.That(ChatRequestMapper.ToGlmMessages(messages[..1], instructions: null), Is.EqualTo(new[] { new GlmChatMessage("user", "Hi") }));
    }

    [Test]
    public void Function_calls_take_their_arguments_from_json_and_a_repeated_key_keeps_its_last_value()
    {
        var call = ChatRequestMapper.ToFunctionCall(new GlmToolCall("call_1", "search", "{\"q\": \"a\", \"n\": 2, \"q\": \"b\"}"));
        Assert.That((call.CallId, call.Name), Is.EqualTo(("call_1", "search")));
        Assert.That(call.Arguments!.Keys, Is.EquivalentTo(new[] { "q", "n" }));
        Assert.That(((JsonElement)call.Arguments["q"]!).GetString(), Is.EqualTo("b"));
        Assert.That(((JsonElement)call.Arguments["n"]!).GetInt32(), Is.EqualTo(2));
    }
}
