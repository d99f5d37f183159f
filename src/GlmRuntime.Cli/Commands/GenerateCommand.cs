using System.Text;
using System.Text.Json;
using GlmRuntime.Configuration;
using GlmRuntime.Tokenization;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// <c>glm generate --model DIR (--prompt TEXT | --ids CSV) [sampling options] [--json]</c>: streams the continuation's
/// text to stdout as it arrives; with <c>--json</c> prints nothing until the end and then one line
/// <c>{"output_ids", "text", "finish_reason", "usage"}</c>. Sampling starts from the model's
/// generation_config.json (<see cref="GlmEngine.DefaultSamplingParams"/>) with the given options on top.
/// <c>--speculative 3/1/4</c> decodes with MTP speculative decoding (sglang's steps/topk/draft-tokens; the usage then
/// reports rounds and acceptance); <c>--device gpu</c> runs on the GPU backend (<c>glm diagnose</c> says what is found). <c>--requests FILE.jsonl [--concurrency C]</c> runs one request per line instead (<see cref="RequestFile"/>,
/// <see cref="RequestsRunner"/>) and prints one JSON line per request in file order.
/// </summary>
internal static class GenerateCommand
{
    public const string Usage =
        "glm generate --model DIR (--prompt TEXT | --ids 1,2,3 | --requests FILE.jsonl [--concurrency C]) [--max-tokens N] [--temperature T] [--top-p P] [--top-k K] [--seed S] [--ignore-eos] [--speculative S/K/N] [--device cpu|gpu|auto] [--json]";

    private static readonly string[] OptionNames = ["model", "prompt", "ids", "requests", "concurrency", "speculative", "device", .. SamplingFlags.OptionNames];

    /// <summary>The parsed command line, validated before anything is loaded; exactly one of Prompt, Ids and Requests is set.</summary>
    private sealed record Request(string Model, string? Prompt, int[]? Ids, List<RequestLine>? Requests, int? Concurrency,
        SamplingFlags Sampling, SpeculativeDecodingOptions? Speculative, ComputeDevice Device, bool Json);

    public static int Run(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        Request request = Parse(args);
        CheckAgainstModel(request);
        if (request.Requests is { Count: 0 })
            return 0; // nothing to run; not worth loading the weights
        // The command dispatcher is synchronous; nothing here captures a synchronization context.
        return RunAsync(request, output, cancellationToken).GetAwaiter().GetResult();
    }

    private static Request Parse(IReadOnlyList<string> args)
    {
        var a = Arguments.Parse(args, OptionNames, flags: ["json", "ignore-eos"]);
        a.RejectPositional();
        string model = a.RequiredOption("model");
        string? prompt = a.Option("prompt");
        int[]? ids = a.IdsOption("ids");
        string? requestsPath = a.Option("requests");
        int? concurrency = a.IntOption("concurrency");
        if ((prompt is null ? 0 : 1) + (ids is null ? 0 : 1) + (requestsPath is null ? 0 : 1) != 1)
            throw new UsageException("give exactly one of '--prompt', '--ids' and '--requests'");
        if (concurrency is not null && requestsPath is null)
            throw new UsageException("option '--concurrency' applies only with '--requests'");
        if (concurrency is < 1)
            throw new UsageException($"option '--concurrency' must be at least 1, got {concurrency}");
        SamplingFlags sampling = SamplingFlags.Parse(a);
        SpeculativeDecodingOptions? speculative = null;
        if (a.Option("speculative") is { } triple)
        {
            try
            {
                speculative = SpeculativeDecodingOptions.Parse(triple);
            }
            catch (FormatException e)
            {
                throw new UsageException($"option '--speculative': {e.Message}");
            }
        }
        ComputeDevice device = a.Option("device") switch
        {
            null or "cpu" => ComputeDevice.Cpu,
            "gpu" => ComputeDevice.Gpu,
            "auto" => ComputeDevice.Auto,
            var other => throw new UsageException($"option '--device' must be cpu, gpu or auto, got '{other}'"),
        };
        // Read now so a malformed file fails before the weights load.
        List<RequestLine>? requests = requestsPath is null ? null : RequestFile.Read(requestsPath);
        return new Request(model, prompt, ids, requests, concurrency, sampling, speculative, device, a.Flag("json"));
    }

    /// <summary>Checks what config.json and the folder's files can tell, so misuse fails before the weights load.</summary>
    private static void CheckAgainstModel(Request request)
    {
        GlmConfig config = GlmConfig.Load(request.Model);
        if (request.Ids is { } ids)
            Arguments.CheckIdsInVocabulary("ids", ids, config.VocabSize);
        if (request.Prompt is not null && !File.Exists(Path.Combine(request.Model, GlmTokenizer.TokenizerFileName)))
            throw NoTokenizer(request.Model);
        if (request.Speculative is not null && config.NumNextnPredictLayers < 1)
            throw new UsageException($"option '--speculative' needs the model's MTP layer, and '{request.Model}' has none (config.json: num_nextn_predict_layers {config.NumNextnPredictLayers})");
    }

    private static UsageException NoTokenizer(string model) =>
        new($"option '--prompt' needs a tokenizer, but '{model}' has no {GlmTokenizer.TokenizerFileName}; pass token ids with '--ids'");

    private static async Task<int> RunAsync(Request request, TextWriter output, CancellationToken cancellationToken)
    {
        var options = new GlmEngineOptions { Speculative = request.Speculative, Device = request.Device };
        await using GlmEngine engine = await GlmEngine.LoadAsync(request.Model, options, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (request.Prompt is not null && engine.Tokenizer is null)
            throw NoTokenizer(request.Model);
        if (request.Requests is { } lines)
            return await RequestsRunner.RunAsync(engine, lines, request.Sampling, request.Concurrency, output, cancellationToken).ConfigureAwait(false);
        SamplingParams sampling = request.Sampling.ApplyTo(engine.DefaultSamplingParams);
        sampling.Validate();

        IAsyncEnumerable<GenerationUpdate> updates = request.Prompt is { } prompt
            ? engine.GenerateStreamingAsync(prompt, sampling, cancellationToken)
            : engine.GenerateStreamingAsync(request.Ids!, sampling, cancellationToken);
        var outputIds = new List<int>();
        var text = new StringBuilder();
        FinishReason? finish = null;
        GenerationUsage? usage = null;
        await foreach (GenerationUpdate update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            outputIds.AddRange(update.TokenIds);
            text.Append(update.Text);
            finish = update.FinishReason ?? finish;
            usage = update.Usage ?? usage;
            if (!request.Json && update.Text.Length > 0)
            {
                output.Write(update.Text);
                output.Flush();
            }
        }

        if (!request.Json)
        {
            output.WriteLine();
            return 0;
        }
        // The engine reports usage on the last update; the fallback only guards a stream that ended without one.
        usage ??= new GenerationUsage(request.Ids?.Length ?? engine.Tokenizer!.Encode(request.Prompt!).Length, outputIds.Count);
        WriteJson(output, outputIds, text.ToString(), finish ?? FinishReason.Length, usage);
        return 0;
    }

    private static void WriteJson(TextWriter output, List<int> outputIds, string text, FinishReason finish, GenerationUsage usage)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonLines.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartArray("output_ids");
            foreach (int id in outputIds)
                w.WriteNumberValue(id);
            w.WriteEndArray();
            w.WriteString("text", text);
            w.WriteString("finish_reason", finish == FinishReason.Stop ? "stop" : "length");
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", usage.PromptTokenCount);
            w.WriteNumber("completion_tokens", usage.CompletionTokenCount);
            w.WriteNumber("total_tokens", usage.TotalTokenCount);
            JsonLines.WriteSpeculative(w, usage.Speculative);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Flush();
    }
}
