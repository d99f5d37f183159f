using System.Text.Json.Nodes;

namespace GlmRuntime.Tests.Support;

/// <summary>A shared test model with an edited config.json (weights copied unchanged) in a temp folder.</summary>
internal static class ModelVariants
{
    public static TempDirectory WithConfig(string modelName, Action<JsonObject> edit)
    {
        var temp = new TempDirectory();
        string source = SharedData.PathOf("models", modelName);
        foreach (string file in Directory.GetFiles(source))
        {
            string name = Path.GetFileName(file);
            if (name.StartsWith("model", StringComparison.Ordinal))
                File.Copy(file, temp.File(name));
        }
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "config.json")))!.AsObject();
        edit(config);
        File.WriteAllText(temp.File("config.json"), config.ToJsonString());
        return temp;
    }
}
