using GlmRuntime.Checkpoints;
using GlmRuntime.Tests.Support;
using Microsoft.Extensions.AI;

namespace GlmRuntime.Tests;

/// <summary>
/// The IChatClient adapter on the demo model (random weights, real tokenizer and chat template), checked against
/// direct engine calls. The demo model never emits <c>&lt;/think&gt;</c>, so a copy with that token swapped onto one
/// it emits mid-answer checks the reasoning split end to end.
/// </summary>
[TestFixture]
public sealed class GlmChatClientTests
{
    private const string Question = "What is the capital of France?";

    private TempDirectory _dir = null!;
    private GlmEngine _engine = null!;
    private IChatClient _client = null!;
    private GlmEngine _swapped = null!;
    private IChatClient _swappedClient = null!;
    private int[] _greedy = null!;
    private int _split;

    [OneTimeSetUp]
    public async Task Load()
    {
        _dir = new TempDirectory();
        string model = DemoModel.EnsureCreated(_dir.File("demo"));
        _engine = await GlmEngine.LoadAsync(model);
        _client = _engine.AsChatClient();

        var tokenizer = _engine.Tokenizer!;
        int[] prompt = tokenizer.Encode(_engine.FormatChatPrompt([new GlmChatMessage("user", Question)]));
        _greedy = [.. (await _engine.GenerateChatAsync([new GlmChatMessage("user", Question)], Greedy(16))).OutputTokenIds];
        _split = SwappedThinkTokenModel.ChooseSplit(tokenizer, prompt, _greedy);
        Assert.That(_split, Is.GreaterThan(0), "no usable position to swap </think> onto in the demo model's answer");
        SwappedThinkTokenModel.Write(model, _dir.File("swapped"), tokenizer, _greedy[_split]);
        _swapped = await GlmEngine.LoadAsync(_dir.File("swapped"));
        _swappedClient = _swapped.AsChatClient();
    }

    [OneTimeTearDown]
    public async Task Unload()
    {
        await _engine.DisposeAsync();
        await _swapped.DisposeAsync();
        _dir.Dispose();
    }

    private SamplingParams Greedy(int maxTokens) => _engine.DefaultSamplingParams with { Temperature = 0, MaxTokens = maxTokens };

    private static ChatOptions GreedyOptions(int maxTokens) => new() { Temperature = 0, MaxOutputTokens = maxTokens };

    private static List<ChatMessage> Ask(string question) => [new(ChatRole.User, question)];

    private static async Task<(string Reasoning, string Text, List<ChatResponseUpdate> Updates)> StreamAsync(IChatClient client,
        IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken = default)
    {
        string reasoning = "", text = "";
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            updates.Add(update);
            reasoning += string.Concat(update.Contents.OfType<TextReasoningContent>().Select(c => c.Text));
            text += update.Text;
        }
        return (reasoning, text, updates);
    }

    private static string ReasoningOf(ChatResponse response) =>
        string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(c => c.Text));

    [Test]
    public async Task Streaming_and_non_streaming_give_the_same_reasoning_and_text()
    {
        foreach (var client in new[] { _client, _swappedClient })
        {
            var (reasoning, text, _) = await StreamAsync(client, Ask(Question), GreedyOptions(16));
            var response = await client.GetResponseAsync(Ask(Question), GreedyOptions(16));
            var message = response.Messages.Single();
            Assert.That(message.Role, Is.EqualTo(ChatRole.Assistant));
            Assert.That(ReasoningOf(response), Is.EqualTo(reasoning));
            Assert.That(response.Text, Is.EqualTo(text));
            var expectedTypes = new[] { typeof(TextReasoningContent), typeof(TextContent) }.Take(text.Length > 0 ? 2 : 1);
            Assert.That(message.Contents.Select(c => c.GetType()), Is.EqualTo(expectedTypes), "coalesced: reasoning, then text");
        }
    }

    [Test]
    public async Task Without_the_end_tag_the_whole_answer_is_reasoning()
    {
        var direct = await _engine.GenerateChatAsync([new GlmChatMessage("user", Question)], Greedy(16));
        var response = await _client.GetResponseAsync(Ask(Question), GreedyOptions(16));
        Assert.That(ReasoningOf(response), Is.EqualTo(direct.Text).And.Not.Empty);
        Assert.That(response.Text, Is.Empty);
        Assert.That(response.Usage!.ReasoningTokenCount, Is.EqualTo(16));
    }

    [Test]
    public async Task The_end_token_splits_reasoning_from_text()
    {
        var tokenizer = _swapped.Tokenizer!;
        string expectedReasoning = tokenizer.Decode(_greedy[.._split], skipSpecialTokens: true);
        string expectedText = tokenizer.Decode(_greedy[(_split + 1)..], skipSpecialTokens: true);

        var response = await _swappedClient.GetResponseAsync(Ask(Question), GreedyOptions(16));
        Assert.That((ReasoningOf(response), response.Text), Is.EqualTo((expectedReasoning, expectedText)));
        Assert.That(response.Usage!.ReasoningTokenCount, Is.EqualTo(_split + 1), "the reasoning tokens and the tag");

        // With special tokens written out, the literal tag splits the same text (and is dropped).
        var literal = new ChatOptions { RawRepresentationFactory = _ => Greedy(16) with { SkipSpecialTokens = false } };
        var direct = await _swapped.GenerateChatAsync([new GlmChatMessage("user", Question)], Greedy(16) with { SkipSpecialTokens = false });
        Assert.That(direct.Text, Does.Contain("</think>"));
        response = await _swappedClient.GetResponseAsync(Ask(Question), literal);
        Assert.That((ReasoningOf(response), response.Text), Is.EqualTo((expectedReasoning, expectedText)));
    }

    [Test]
    public async Task Reasoning_output_none_leaves_the_reasoning_out()
    {
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 16, Reasoning = new ReasoningOptions { Output = ReasoningOutput.None } };
        var response = await _swappedClient.GetResponseAsync(Ask(Question), options);
        Assert.That(response.Messages.Single().Contents, Is.All.TypeOf<TextContent>());
        Assert.That(response.Text, Is.EqualTo(_swapped.Tokenizer!.Decode(_greedy[(_split + 1)..], skipSpecialTokens: true)));
    }

    [Test]
    public async Task Without_thinking_everything_is_text()
    {
        var direct = await _engine.GenerateChatAsync([new GlmChatMessage("user", Question)], Greedy(12), enableThinking: false);
        var switchedOff = new ChatOptions { Temperature = 0, MaxOutputTokens = 12, AdditionalProperties = new() { [GlmChatClient.EnableThinkingKey] = false } };
        var noEffort = new ChatOptions { Temperature = 0, MaxOutputTokens = 12, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None } };
        foreach (var options in new[] { switchedOff, noEffort })
        {
            var response = await _client.GetResponseAsync(Ask(Question), options);
            Assert.That(response.Messages.Single().Contents, Is.All.TypeOf<TextContent>());
            Assert.That(response.Text, Is.EqualTo(direct.Text).And.Not.Empty);
            Assert.That(response.Usage!.ReasoningTokenCount, Is.Zero);
        }
    }

    [Test]
    public async Task Updates_share_one_id_and_the_last_carries_finish_reason_and_usage()
    {
        var direct = await _engine.GenerateChatAsync([new GlmChatMessage("user", Question)], Greedy(10));
        var (_, _, updates) = await StreamAsync(_client, Ask(Question), GreedyOptions(10));
        Assert.That(updates, Has.Count.GreaterThan(1));
        Assert.That(updates.Select(u => u.ResponseId).Distinct().Single(), Is.Not.Null.And.Not.Empty);
        Assert.That(updates.Select(u => u.MessageId), Is.All.EqualTo(updates[0].ResponseId));
        Assert.That(updates.Select(u => u.Role), Is.All.EqualTo(ChatRole.Assistant));
        Assert.That(updates.Select(u => u.ModelId), Is.All.EqualTo("glm_moe_dsa"));
        Assert.That(updates.Select(u => u.CreatedAt).Distinct().Single(), Is.Not.Null);
        Assert.That(updates[..^1].Select(u => u.FinishReason), Is.All.Null);
        Assert.That(updates[..^1].SelectMany(u => u.Contents), Has.None.TypeOf<UsageContent>());
        Assert.That(updates[^1].FinishReason, Is.EqualTo(ChatFinishReason.Length));

        var usage = updates[^1].Contents.OfType<UsageContent>().Single().Details;
        Assert.That(usage.InputTokenCount, Is.EqualTo(direct.Usage.PromptTokenCount).And.GreaterThan(0));
        Assert.That(usage.OutputTokenCount, Is.EqualTo(direct.Usage.CompletionTokenCount).And.EqualTo(10));
        Assert.That(usage.TotalTokenCount, Is.EqualTo(usage.InputTokenCount + usage.OutputTokenCount));
        Assert.That(usage.CachedInputTokenCount, Is.EqualTo(direct.Usage.CachedTokenCount));

        var response = await _client.GetResponseAsync(Ask(Question), GreedyOptions(10));
        Assert.That(response.Usage!.TotalTokenCount, Is.EqualTo(usage.TotalTokenCount));
        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Length));
        Assert.That(response.ModelId, Is.EqualTo("glm_moe_dsa"));
        Assert.That(response.ResponseId, Is.Not.Empty);
    }

    [Test]
    public async Task Finish_reasons_map()
    {
        var length = await _client.GetResponseAsync(Ask(Question), GreedyOptions(3));
        Assert.That((length.FinishReason, length.Usage!.OutputTokenCount), Is.EqualTo((ChatFinishReason.Length, 3L)));
        var stopAt = new ChatOptions { RawRepresentationFactory = _ => Greedy(16) with { StopTokenIds = [_greedy[2]] } };
        var stopped = await _client.GetResponseAsync(Ask(Question), stopAt);
        Assert.That((stopped.FinishReason, stopped.Usage!.OutputTokenCount), Is.EqualTo((ChatFinishReason.Stop, 3L)));
    }

    [Test]
    public async Task Options_map_onto_the_engines_sampling_params()
    {
        ChatOptions Sampled(long seed) => new()
        {
            Temperature = 0.9f, TopP = 0.9f, TopK = 50, Seed = seed, MaxOutputTokens = 12, FrequencyPenalty = 0.5f,
            PresencePenalty = 0.25f, StopSequences = ["zzzz"],
            AdditionalProperties = new() { [GlmChatClient.MinPKey] = 0.01, [GlmChatClient.RepetitionPenaltyKey] = 1.1, [GlmChatClient.EnableThinkingKey] = false },
        };
        var mapped = _engine.DefaultSamplingParams with
        {
            Temperature = 0.9f, TopP = 0.9f, TopK = 50, Seed = 11, MaxTokens = 12, FrequencyPenalty = 0.5f,
            PresencePenalty = 0.25f, Stop = ["zzzz"], MinP = 0.01, RepetitionPenalty = 1.1,
        };
        var direct = await _engine.GenerateChatAsync([new GlmChatMessage("user", Question)], mapped, enableThinking: false);
        var response = await _client.GetResponseAsync(Ask(Question), Sampled(11));
        Assert.That(response.Text, Is.EqualTo(direct.Text).And.Not.Empty);
        Assert.That(response.Usage!.OutputTokenCount, Is.EqualTo(direct.Usage.CompletionTokenCount));
        Assert.That((await _client.GetResponseAsync(Ask(Question), Sampled(12))).Text, Is.Not.EqualTo(direct.Text), "the seed is passed on");
    }

    [Test]
    public async Task A_raw_sampling_params_is_used_as_is()
    {
        var raw = Greedy(5);
        var options = new ChatOptions { Temperature = 1.5f, MaxOutputTokens = 50, RawRepresentationFactory = _ => raw };
        var direct = await _engine.GenerateChatAsync([new GlmChatMessage("user", Question)], raw);
        var response = await _client.GetResponseAsync(Ask(Question), options);
        Assert.That((ReasoningOf(response), response.Usage!.OutputTokenCount), Is.EqualTo((direct.Text, 5L)));
    }

    [Test]
    public void A_bad_option_throws_naming_it()
    {
        var options = new ChatOptions { Temperature = -1 };
        Assert.That(() => _client.GetStreamingResponseAsync(Ask(Question), options),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("Temperature"), "thrown at the call");
        Assert.That(async () => await _client.GetResponseAsync(Ask(Question), options),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("Temperature"));
        Assert.That(() => _client.GetResponseAsync((IEnumerable<ChatMessage>)null!), Throws.ArgumentNullException);
    }

    [Test]
    public async Task Instructions_lead_as_a_system_message_and_past_reasoning_is_not_sent()
    {
        List<ChatMessage> history =
        [
            new(ChatRole.User, "Hi"),
            new(ChatRole.Assistant, [new TextReasoningContent("a long secret thought"), new TextContent("Hello")]),
            new(ChatRole.User, Question),
        ];
        var response = await _client.GetResponseAsync(history, new ChatOptions { Instructions = "Be brief.", Temperature = 0, MaxOutputTokens = 2 });
        string prompt = _engine.FormatChatPrompt(
            [new("system", "Be brief."), new("user", "Hi"), new("assistant", "Hello"), new("user", Question)]);
        Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(_engine.Tokenizer!.Encode(prompt).Length));
    }

    [Test]
    public async Task GetService_returns_metadata_engine_and_client()
    {
        using var client = _engine.AsChatClient("demo");
        var metadata = client.GetService<ChatClientMetadata>()!;
        Assert.That((metadata.ProviderName, metadata.DefaultModelId), Is.EqualTo((GlmChatClient.ProviderName, "demo")));
        Assert.That(client.GetService<GlmEngine>(), Is.SameAs(_engine));
        Assert.That(client.GetService<GlmChatClient>(), Is.SameAs(client));
        Assert.That(client.GetService<IChatClient>(), Is.SameAs(client));
        Assert.That(client.GetService<string>(), Is.Null);
        Assert.That(client.GetService(typeof(GlmEngine), serviceKey: "other"), Is.Null);
        Assert.That(() => client.GetService(null!), Throws.ArgumentNullException);
        Assert.That((await client.GetResponseAsync(Ask(Question), GreedyOptions(2))).ModelId, Is.EqualTo("demo"));

        client.Dispose();
        var after = await _engine.GenerateChatAsync([new GlmChatMessage("user", Question)], Greedy(2));
        Assert.That(after.OutputTokenIds, Is.EqualTo(_greedy[..2]), "disposing the client leaves the engine working");
    }

    [Test]
    public async Task Concurrent_calls_each_equal_their_solo_result()
    {
        string[] questions = [Question, "Hello!", "Tell me a story.", "Why is the sky blue?"];
        var solo = new List<(string, string)>();
        foreach (string question in questions)
        {
            var response = await _swappedClient.GetResponseAsync(Ask(question), GreedyOptions(12));
            solo.Add((ReasoningOf(response), response.Text));
        }
        var together = await Task.WhenAll(questions.Select(q => Task.Run(() => _swappedClient.GetResponseAsync(Ask(q), GreedyOptions(12)))));
        Assert.That(together.Select(r => (ReasoningOf(r), r.Text)), Is.EqualTo(solo));
    }

    [Test]
    public async Task Cancellation_stops_the_stream()
    {
        using var cts = new CancellationTokenSource();
        int count = 0;
        Assert.That(async () =>
        {
            await foreach (var _ in _client.GetStreamingResponseAsync(Ask(Question), GreedyOptions(2000), cts.Token))
            {
                if (++count == 2)
                    cts.Cancel();
            }
        }, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(count, Is.EqualTo(2));
        Assert.That(async () => await _client.GetResponseAsync(Ask(Question), GreedyOptions(4), new CancellationToken(canceled: true)),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That((await _client.GetResponseAsync(Ask(Question), GreedyOptions(4))).FinishReason, Is.EqualTo(ChatFinishReason.Length));
    }

    [Test]
    public async Task A_model_without_a_tokenizer_is_refused()
    {
        using var golden = GoldenFile.Open("tiny-glm5");
        await using var engine = await GlmEngine.LoadAsync(golden.ModelDirectory);
        Assert.That(() => engine.AsChatClient(), Throws.InvalidOperationException.With.Message.Contains("tokenizer"));
    }

    private static readonly AIFunctionDeclaration WeatherFunction = AIFunctionFactory.CreateDeclaration("get_weather", "Weather for a city",
        System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement);

    [Test]
    public async Task A_required_function_comes_back_as_a_function_call()
    {
        // The demo model writes no tool markup by itself; requiring a named function makes the prompt open the call,
        // so the answer is that call (cut off by the token limit, its arguments still a JSON object).
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 6, Tools = [WeatherFunction], ToolMode = ChatToolMode.RequireSpecific("get_weather") };
        foreach (bool streaming in new[] { false, true })
        {
            ChatResponse response = streaming
                ? await _client.GetStreamingResponseAsync(Ask("Weather in Paris?"), options).ToChatResponseAsync()
                : await _client.GetResponseAsync(Ask("Weather in Paris?"), options);
            var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
            Assert.That(call.Name, Is.EqualTo("get_weather"));
            Assert.That(call.CallId, Does.StartWith("call_"));
            Assert.That(call.Arguments, Is.Not.Null);
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Length));
            Assert.That(response.Text, Is.Empty, "text the model wrote inside the call is not content");
        }
    }

    [Test]
    public void Tool_calls_and_results_in_the_history_render_as_glm_markup()
    {
        List<ChatMessage> history =
        [
            new(ChatRole.User, "Weather in Paris?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris", ["days"] = 2 })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny")]),
        ];
        var turns = GlmRuntime.Chat.ChatRequestMapper.ToGlmMessages(history, instructions: null);
        var tools = GlmRuntime.Chat.ChatRequestMapper.ToGlmTools(new ChatOptions { Tools = [WeatherFunction] });
        string prompt = _engine.FormatChatPrompt(turns, tools);
        Assert.That(prompt, Does.Contain("<tool_call>get_weather<arg_key>city</arg_key><arg_value>Paris</arg_value><arg_key>days</arg_key><arg_value>2</arg_value></tool_call>"));
        Assert.That(prompt, Does.Contain("<|observation|><tool_response>sunny</tool_response>"));
        Assert.That(prompt, Does.Contain("\"name\": \"get_weather\""), "the tool preamble lists the function");
        Assert.That(GlmRuntime.Chat.ChatRequestMapper.ToToolChoice(new ChatOptions { ToolMode = ChatToolMode.None }), Is.EqualTo(GlmToolChoice.None));
        Assert.That(GlmRuntime.Chat.ChatRequestMapper.ToToolChoice(new ChatOptions { ToolMode = ChatToolMode.RequireAny }), Is.EqualTo(GlmToolChoice.Required));
    }
}
