using System.Diagnostics;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.GlmGateway;

/// <summary>
/// The gateway against the official <c>openai</c> npm package (installed here from the npm registry into
/// artifacts/openai-node): streaming and non-streaming chat, a tool call round trip, usage, typed errors and
/// cancellation by aborting a stream. The checks themselves are in openai-client.test.mjs.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class OpenAiClientTests
{
    // Pinned so that a new major version cannot change the test under us; bump on purpose.
    private const string OpenAiPackage = "openai@6.49.0";
    private const string Script = "openai-client.test.mjs";

    [Test]
    public async Task The_official_openai_client_works_against_the_gateway()
    {
        string node = RequireTool("node", "--version");
        RequireTool("npm", "--version");
        string folder = await InstallClientAsync();

        await using var server = await GatewayServer.StartAsync();
        var (exitCode, output) = await RunAsync("node", [Path.Combine(folder, Script)], folder, TimeSpan.FromMinutes(4), new()
        {
            ["GATEWAY_URL"] = server.BaseUrl,
            ["GATEWAY_KEY"] = GatewayServer.ApiKey,
            ["GATEWAY_MODEL"] = server.ModelId,
        });
        TestContext.Out.WriteLine($"node {node}, {OpenAiPackage}\n{output}");
        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("all checks passed"));
    }

    /// <summary>Installs the pinned package once per checkout and puts the script beside its node_modules (ESM resolves from there).</summary>
    private static async Task<string> InstallClientAsync()
    {
        string folder = Path.Combine(SharedData.RepositoryRoot, "artifacts", "openai-node");
        Directory.CreateDirectory(folder);
        string version = OpenAiPackage.Split('@')[1];
        string installed = Path.Combine(folder, "node_modules", "openai", "package.json");
        if (!File.Exists(installed) || !File.ReadAllText(installed).Contains($"\"version\": \"{version}\"", StringComparison.Ordinal))
        {
            File.WriteAllText(Path.Combine(folder, "package.json"), """{"name": "glmruntime-openai-client-test", "private": true, "type": "module"}""");
            var (code, output) = await RunAsync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", OpenAiPackage], folder, TimeSpan.FromMinutes(5));
            Assert.That(code, Is.Zero, $"npm install {OpenAiPackage} failed (the npm registry must be reachable):\n{output}");
        }
        File.Copy(Path.Combine(SharedData.RepositoryRoot, "tests", "GlmRuntime.Tests", "GlmGateway", Script), Path.Combine(folder, Script), overwrite: true);
        return folder;
    }

    private static string RequireTool(string tool, string versionFlag)
    {
        try
        {
            var (code, output) = RunAsync(tool, [versionFlag], Environment.CurrentDirectory, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            if (code == 0)
                return output.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
        Assert.Fail($"'{tool}' is not on PATH: the OpenAI client test needs Node.js 18+ and npm (CI installs them: apt-get install nodejs npm).");
        return "";
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, string workingDirectory, TimeSpan timeout,
        Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? [])
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{file} timed out after {timeout}:\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
