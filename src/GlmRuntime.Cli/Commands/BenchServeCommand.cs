using System.Globalization;
using GlmRuntime.Checkpoints;
using GlmRuntime.LoadGenerator;
using GlmRuntime.Tokenization;

namespace GlmRuntime.Cli.Commands;

/// <summary>
/// <c>glm bench serve</c>: the serving benchmark (SERVING.md §1.11). Open-loop Poisson arrivals at each rate of a sweep
/// against the engine in this process, or against an OpenAI-compatible server with <c>--url</c>; random-token prompts
/// with a shared-prefix fraction; a table like the seeds' (or JSON) per rate; <c>--single-stream</c> for the speed of
/// one request at a time.
/// </summary>
internal static class BenchServeCommand
{
    public const string Usage =
        "glm bench serve [--model DIR] [--url URL [--api-key KEY] [--served-model-name NAME]] [--rates 1,2,4,inf] [--requests N]" +
        " [--input-len N] [--output-len N] [--range-ratio R] [--shared-prefix F] [--prefix-groups N] [--burstiness B]" +
        " [--max-concurrency N] [--seed S] [--warmup N] [--warmup-seconds S] [--single-stream] [--no-prefix-cache] [--speculative] [--kv-cache-mib N] [--json]";

    private static readonly string[] Options =
    [
        "model", "url", "api-key", "served-model-name", "rates", "requests", "input-len", "output-len", "range-ratio", "shared-prefix",
        "prefix-groups", "burstiness", "max-concurrency", "seed", "kv-cache-mib", "warmup", "warmup-seconds",
    ];

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(args, output, error, cancellationToken).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var a = Arguments.Parse(args, Options, flags: ["single-stream", "no-prefix-cache", "speculative", "json"]);
        a.RejectPositional();
        var workload = new ServingWorkload
        {
            RequestCount = a.IntOption("requests") ?? 64,
            InputTokens = a.IntOption("input-len") ?? 2000,
            OutputTokens = a.IntOption("output-len") ?? 100,
            RangeRatio = a.DoubleOption("range-ratio") ?? 0,
            SharedPrefixFraction = a.DoubleOption("shared-prefix") ?? 0.6,
            PrefixGroups = a.IntOption("prefix-groups") ?? 4,
            Seed = a.IntOption("seed") ?? 1,
        };
        double burstiness = a.DoubleOption("burstiness") ?? 1;
        int? maxConcurrency = a.IntOption("max-concurrency");
        int warmup = a.IntOption("warmup") ?? 4;
        double warmupSeconds = a.DoubleOption("warmup-seconds") ?? 3;
        if (!(burstiness > 0) || double.IsInfinity(burstiness))
            throw new UsageException("option '--burstiness' must be positive and finite (1 = Poisson)");
        if (maxConcurrency is < 1)
            throw new UsageException("option '--max-concurrency' must be at least 1");
        if (warmup < 0 || !(warmupSeconds >= 0))
            throw new UsageException("options '--warmup' and '--warmup-seconds' must not be negative");
        try
        {
            workload.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException($"option for {e.ParamName} is out of range: {e.Message.Split(" (Parameter")[0]}");
        }
        double[] rates = ParseRates(a.Option("rates") ?? "1,2,4,8,inf");
        string model = a.Option("model") ?? DemoModel.EnsureCreated(DemoModel.DefaultDirectory(), cancellationToken);
        Action<string> log = message => error.WriteLine($"glm bench serve: {message}");

        GlmEngine? engine = null;
        IServingTarget target;
        IReadOnlyList<int> tokenIds;
        if (a.Option("url") is { } url)
        {
            if (a.Flag("no-prefix-cache") || a.Flag("speculative") || a.Option("kv-cache-mib") is not null)
                throw new UsageException("--no-prefix-cache, --speculative and --kv-cache-mib configure an in-process engine; with --url, start the gateway with them");
            // The model folder only supplies the vocabulary to draw prompts from: the server has the weights.
            var tokenizer = GlmTokenizer.FromFile(model);
            tokenIds = Enumerable.Range(0, tokenizer.VocabSize).Where(id => !tokenizer.IsSpecialToken(id) && tokenizer.IdToToken(id) is not null).ToArray();
            target = new HttpTarget(url, a.Option("api-key"), a.Option("served-model-name"));
        }
        else
        {
            var options = new GlmEngineOptions
            {
                EnablePrefixCache = !a.Flag("no-prefix-cache"),
                Speculative = a.Flag("speculative") ? SpeculativeDecodingOptions.Glm5Recipe : null,
            };
            if (a.LongOption("kv-cache-mib") is long mib)
                options = options with { KvCacheBytes = mib << 20 };
            log($"loading {model}");
            engine = await GlmEngine.LoadAsync(model, options, cancellationToken: cancellationToken);
            tokenIds = EngineTarget.OrdinaryTokenIds(engine);
            target = new EngineTarget(engine);
        }

        try
        {
            var runner = new LoadRunner(target, tokenIds, log)
            {
                Burstiness = burstiness,
                MaxConcurrency = maxConcurrency,
                WarmupRequests = warmup,
                WarmupDuration = TimeSpan.FromSeconds(warmupSeconds),
            };
            string title = string.Create(CultureInfo.InvariantCulture,
                $"{target.Description}: {workload.RequestCount} requests/rate, {workload.InputTokens} in / {workload.OutputTokens} out, shared prefix {workload.SharedPrefixFraction:P0} ({workload.PrefixGroups} groups)");
            if (a.Flag("single-stream"))
            {
                var single = await runner.SingleStreamAsync(workload, cancellationToken);
                if (a.Flag("json"))
                    output.WriteLine(ServingReport.ToJson(single));
                else
                {
                    output.WriteLine(title);
                    ServingReport.WriteSingleStream(output, single);
                }
                return 0;
            }
            var results = await runner.SweepAsync(workload, rates, cancellationToken);
            if (a.Flag("json"))
                output.WriteLine(ServingReport.ToJson(results));
            else
                ServingReport.WriteTable(output, title, results);
            return results.All(r => r.Failed == 0) ? 0 : 1;
        }
        finally
        {
            (target as IDisposable)?.Dispose();
            if (engine is not null)
                await engine.DisposeAsync();
        }
    }

    private static double[] ParseRates(string text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(r => r is "inf" or "infinity"
            ? double.PositiveInfinity
            : double.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out double rate) && rate > 0
                ? rate
                : throw new UsageException($"option '--rates' takes positive numbers or 'inf', not '{r}'"))
        .ToArray();
}
