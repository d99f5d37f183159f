using System.Diagnostics;
using System.Globalization;
using System.Text;
using GlmRuntime;
using GlmRuntime.Chat;

namespace GlmChat;

/// <summary>
/// The read–answer loop: each line becomes a user message, the whole conversation is rendered with the model's
/// chat template and the answer is streamed to the output as it arrives, then kept in the history so the next
/// turn sees it. Reads and writes only the given reader and writer, so it runs under tests as in a console.
/// </summary>
internal sealed class ChatRepl
{
    private readonly IChatBackend _backend;
    private readonly SamplingParams _sampling;
    private readonly string? _systemPrompt;
    private readonly bool _thinking;
    private readonly TextReader _input;
    private readonly TextWriter _output;
    private readonly AnswerCancellation _cancellation;
    private readonly List<GlmChatMessage> _history = [];

    /// <param name="backend">The model.</param>
    /// <param name="sampling">Sampling of every answer.</param>
    /// <param name="systemPrompt">A system message that opens every conversation, or null.</param>
    /// <param name="thinking">False skips GLM-5's reasoning block (the prompt closes it instead of opening it).</param>
    /// <param name="input">Lines typed by the user.</param>
    /// <param name="output">Where answers and notices go.</param>
    /// <param name="cancellation">Ctrl+C routing; answers register here while they run.</param>
    public ChatRepl(IChatBackend backend, SamplingParams sampling, string? systemPrompt, bool thinking,
        TextReader input, TextWriter output, AnswerCancellation cancellation)
    {
        _backend = backend;
        _sampling = sampling;
        _systemPrompt = systemPrompt;
        _thinking = thinking;
        _input = input;
        _output = output;
        _cancellation = cancellation;
        Reset();
    }

    /// <summary>The conversation so far (the system message first, when there is one).</summary>
    public IReadOnlyList<GlmChatMessage> History => _history;

    /// <summary>Runs until <c>/exit</c> or the end of the input.</summary>
    public async Task RunAsync()
    {
        _output.WriteLine(ReplInput.Help);
        while (true)
        {
            _output.Write("> ");
            _output.Flush();
            if (await _input.ReadLineAsync().ConfigureAwait(false) is not { } line)
            {
                _output.WriteLine();
                return;
            }
            var (command, message) = ReplInput.Parse(line);
            switch (command)
            {
                case ReplCommand.Exit:
                    return;
                case ReplCommand.Reset:
                    Reset();
                    _output.WriteLine("(conversation cleared)");
                    break;
                case ReplCommand.Help:
                    _output.WriteLine(ReplInput.Help);
                    break;
                case ReplCommand.Unknown:
                    _output.WriteLine($"unknown command '{message}' (type /help)");
                    break;
                case ReplCommand.Say:
                    await AnswerAsync(message).ConfigureAwait(false);
                    break;
            }
        }
    }

    private void Reset()
    {
        _history.Clear();
        if (!string.IsNullOrEmpty(_systemPrompt))
            _history.Add(new GlmChatMessage("system", _systemPrompt));
    }

    private async Task AnswerAsync(string message)
    {
        _history.Add(new GlmChatMessage("user", message));
        var reply = new StringBuilder();
        int tokenCount = 0;
        GenerationUpdate? last = null;
        long start = Stopwatch.GetTimestamp();
        CancellationToken cancellationToken = _cancellation.BeginAnswer();
        try
        {
            string prompt = _backend.FormatPrompt(_history, _thinking);
            await foreach (GenerationUpdate update in _backend.GenerateAsync(prompt, _sampling, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                reply.Append(update.Text);
                tokenCount += update.TokenIds.Count;
                last = update;
                _output.Write(update.Text);
                _output.Flush();
            }
            _output.WriteLine();
            _output.WriteLine(Stats(last?.Usage, last?.FinishReason, tokenCount, Stopwatch.GetElapsedTime(start)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _output.WriteLine();
            _output.WriteLine("[answer stopped]");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ChatTemplateException)
        {
            // Typically a conversation longer than the model's context, or one the template rejects: drop the
            // turn so the next one can work.
            _history.RemoveAt(_history.Count - 1);
            _output.WriteLine();
            _output.WriteLine($"[error: {e.Message} (/reset starts a new conversation)]");
            return;
        }
        finally
        {
            _cancellation.EndAnswer();
        }
        // A stopped answer is kept as far as it got: the history then matches what is on the screen. With thinking
        // on, the reply is "reasoning</think>answer"; the template keeps only the answer of past turns.
        _history.Add(new GlmChatMessage("assistant", reply.ToString()));
    }

    private static string Stats(GenerationUsage? usage, FinishReason? finish, int streamedTokens, TimeSpan elapsed)
    {
        int completion = usage?.CompletionTokenCount ?? streamedTokens;
        double perSecond = elapsed.TotalSeconds > 0 ? completion / elapsed.TotalSeconds : 0;
        string prompt = usage is null ? "" : string.Create(CultureInfo.InvariantCulture, $", prompt {usage.PromptTokenCount} tokens");
        string reason = finish switch { FinishReason.Stop => "stop", FinishReason.Length => "length limit", _ => "ended" };
        return string.Create(CultureInfo.InvariantCulture, $"[{completion} token{(completion == 1 ? "" : "s")} in {elapsed.TotalSeconds:F2} s, {perSecond:F1} tokens/s{prompt}; {reason}]");
    }
}
