using System.Text.Json.Nodes;
using GlmRuntime.Tokenization;

namespace GlmRuntime.Tests.Support;

/// <summary>
/// A copy of the demo model whose tokenizer swaps the ids of <c>&lt;/think&gt;</c> and of a token that greedy
/// decoding emits mid-answer. The weights are unchanged, so the same ids come out, but the model now "closes its
/// reasoning" at a known position: a real engine run that exercises the reasoning split.
/// </summary>
internal static class SwappedThinkTokenModel
{
    /// <summary>
    /// Picks a position of <paramref name="output"/> whose token occurs nowhere else in the prompt or the output (so
    /// the swap changes nothing but that step) and whose removal leaves the text around it intact (no UTF-8 character
    /// straddles it); returns -1 when there is none or the output already holds the tag.
    /// </summary>
    public static int ChooseSplit(GlmTokenizer tokenizer, IReadOnlyList<int> prompt, IReadOnlyList<int> output)
    {
        int[] ids = [.. output];
        if (tokenizer.TryGetTokenId("</think>", out int endId) && ids.Contains(endId))
            return -1; // the swap would turn it into ordinary text
        for (int k = 2; k < ids.Length - 2; k++)
        {
            int id = ids[k];
            if (tokenizer.IsSpecialToken(id) || prompt.Contains(id) || ids.Count(i => i == id) > 1)
                continue;
            string before = tokenizer.Decode(ids[..k]), after = tokenizer.Decode(ids[(k + 1)..]);
            if (before.Length > 0 && after.Length > 0 && before + after == tokenizer.Decode([.. ids[..k], .. ids[(k + 1)..]]))
                return k;
        }
        return -1;
    }

    /// <summary>Writes the swapped copy of <paramref name="modelDirectory"/> into <paramref name="destination"/>.</summary>
    public static void Write(string modelDirectory, string destination, GlmTokenizer tokenizer, int swappedId)
    {
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.GetFiles(modelDirectory))
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        Assert.That(tokenizer.TryGetTokenId("</think>", out int endId), Is.True);
        string swappedToken = tokenizer.IdToToken(swappedId)!;

        string tokenizerFile = Path.Combine(destination, GlmTokenizer.TokenizerFileName);
        var json = JsonNode.Parse(File.ReadAllText(tokenizerFile))!;
        json["model"]!["vocab"]![swappedToken] = endId;
        foreach (JsonNode? added in json["added_tokens"]!.AsArray())
        {
            if ((string?)added!["content"] == "</think>")
                added["id"] = swappedId;
        }
        File.WriteAllText(tokenizerFile, json.ToJsonString());

        string configFile = Path.Combine(destination, GlmTokenizer.ConfigFileName);
        var config = JsonNode.Parse(File.ReadAllText(configFile))!;
        var decoder = config["added_tokens_decoder"]!.AsObject();
        var entry = decoder[endId.ToString()]!;
        decoder.Remove(endId.ToString());
        decoder[swappedId.ToString()] = entry;
        File.WriteAllText(configFile, config.ToJsonString());
    }
}
