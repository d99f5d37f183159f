using System.Globalization;
using GlmRuntime;

namespace GlmGateway;

/// <summary>The gateway's command line: where to listen, which model, what to accept.</summary>
internal sealed record GatewayOptions
{
    public const string Usage =
        "usage: GlmGateway [--model DIR] [--urls URLS] [--api-key KEY] [--served-model-name NAME]\n" +
        "                  [--max-body-bytes N] [--max-prompt-tokens N] [--max-tokens N] [--kv-cache-mib N]\n" +
        "                  [--max-running-requests N] [--no-prefix-cache] [--speculative]\n" +
        "  without --model, the built-in demo model (random weights) is served; --urls defaults to http://127.0.0.1:8000;\n" +
        "  --api-key (or GLM_GATEWAY_API_KEY) makes every /v1 request need 'Authorization: Bearer KEY'";

    /// <summary>A checkpoint folder; null serves the built-in demo model.</summary>
    public string? ModelDirectory { get; init; }

    /// <summary>Kestrel's listen addresses; loopback only unless told otherwise.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8000";

    /// <summary>When set, /v1 requests must carry <c>Authorization: Bearer</c> with this key.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The model id of /v1/models and of responses; defaults to the model folder's name.</summary>
    public string? ServedModelName { get; init; }

    /// <summary>Largest request body accepted (413 above).</summary>
    public long MaxRequestBodyBytes { get; init; } = 4 << 20;

    /// <summary>Longest prompt accepted, in tokens (400 above); null: the model's context limit.</summary>
    public int? MaxPromptTokens { get; init; }

    /// <summary>Largest max_tokens a request may ask for, and the default when it asks for none.</summary>
    public int MaxCompletionTokens { get; init; } = 4096;

    /// <summary>Engine options (KV cache size, batch limits, prefix cache, speculative decoding).</summary>
    public GlmEngineOptions Engine { get; init; } = new();

    public bool ShowHelp { get; init; }

    /// <summary>Parses the arguments; <c>--name value</c> and <c>--name=value</c> both work.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value; the message names the option.</exception>
    public static GatewayOptions Parse(IReadOnlyList<string> args)
    {
        var options = new GatewayOptions { ApiKey = Environment.GetEnvironmentVariable("GLM_GATEWAY_API_KEY") is { Length: > 0 } key ? key : null };
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string name = arg;
            string? inline = null;
            int eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
                (name, inline) = (arg[..eq], arg[(eq + 1)..]);
            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new ArgumentException($"option '{name}' needs a value"));
            options = name switch
            {
                "--model" => options with { ModelDirectory = Value() },
                "--urls" => options with { Urls = Value() },
                "--api-key" => options with { ApiKey = Value() },
                "--served-model-name" => options with { ServedModelName = Value() },
                "--max-body-bytes" => options with { MaxRequestBodyBytes = Long(name, Value(), 1024) },
                "--max-prompt-tokens" => options with { MaxPromptTokens = (int)Long(name, Value(), 1) },
                "--max-tokens" => options with { MaxCompletionTokens = (int)Long(name, Value(), 1) },
                "--kv-cache-mib" => options with { Engine = options.Engine with { KvCacheBytes = Long(name, Value(), 1) << 20 } },
                "--max-running-requests" => options with { Engine = options.Engine with { MaxRunningRequests = (int)Long(name, Value(), 1) } },
                "--no-prefix-cache" => options with { Engine = options.Engine with { EnablePrefixCache = false } },
                "--speculative" => options with { Engine = options.Engine with { Speculative = SpeculativeDecodingOptions.Glm5Recipe } },
                "-h" or "--help" => options with { ShowHelp = true },
                _ => throw new ArgumentException($"unknown option '{arg}'"),
            };
        }
        return options;
    }

    private static long Long(string name, string value, long min) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed) && parsed >= min
            ? parsed
            : throw new ArgumentException($"option '{name}' needs an integer ≥ {min}, not '{value}'");
}
