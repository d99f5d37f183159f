// GlmGateway: an OpenAI-compatible HTTP server around GlmEngine.
//
//   dotnet run --project samples/GlmGateway                              the built-in demo model on http://127.0.0.1:8000
//   dotnet run --project samples/GlmGateway -- --model DIR --urls http://0.0.0.0:8000 --api-key KEY
using GlmGateway;
using GlmRuntime;
using GlmRuntime.Checkpoints;

GatewayOptions options;
try
{
    options = GatewayOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"GlmGateway: {e.Message}");
    Console.Error.WriteLine(GatewayOptions.Usage);
    return 2;
}
if (options.ShowHelp)
{
    Console.WriteLine(GatewayOptions.Usage);
    return 0;
}

string model = options.ModelDirectory ?? DemoModel.EnsureCreated(DemoModel.DefaultDirectory());
if (DemoModel.IsDemoModel(model))
    Console.Error.WriteLine($"GlmGateway: serving the DEMO MODEL (random weights, gibberish answers) from {model}; use --model DIR for a real one.");
await using var engine = await GlmEngine.LoadAsync(model, options.Engine);
string modelId = options.ServedModelName ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(model)));
await using var app = GatewayApp.Build(engine, options, modelId);
await app.StartAsync();
Console.Error.WriteLine($"GlmGateway: serving '{modelId}' on {string.Join(", ", app.Urls)}{(options.ApiKey is null ? "" : " (API key required)")}");
await app.WaitForShutdownAsync();
return 0;
