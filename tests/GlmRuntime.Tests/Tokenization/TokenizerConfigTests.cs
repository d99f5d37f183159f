using GlmRuntime.Tests.Support;
using GlmRuntime.Tokenization;

namespace GlmRuntime.Tests.Tokenization;

public class TokenizerConfigTests
{
    [Test]
    public void DeepSeekConfigExposesTemplateAndTokenObjects()
    {
        TokenizerConfig config = TokenizerConfig.Parse(File.ReadAllText(SharedData.PathOf("tokenizers", "deepseek-v3", "tokenizer_config.json")));

        Assert.That(config.ChatTemplate, Does.StartWith("{% if not add_generation_prompt is defined %}"));
        Assert.That(config.BosToken, Is.EqualTo("<｜begin▁of▁sentence｜>"));
        Assert.That(config.EosToken, Is.EqualTo("<｜end▁of▁sentence｜>"));
        Assert.That(config.PadToken, Is.EqualTo("<｜end▁of▁sentence｜>"));
        Assert.That(config.AddBosToken, Is.True);
        Assert.That(config.AddEosToken, Is.False);
        Assert.That(config.ModelMaxLength, Is.EqualTo(131072));
        Assert.That(config.TokenizerClass, Is.EqualTo("LlamaTokenizerFast"));
    }

    [Test]
    public void GlmConfigDeclaresSpecialTokensInAddedTokensDecoder()
    {
        GlmTokenizer tokenizer = TokenizerGolden.Tokenizer("glm-style");
        TokenizerConfig config = tokenizer.Config!;

        Assert.That(config.EosToken, Is.EqualTo("<|endoftext|>"));
        Assert.That(config.PadToken, Is.EqualTo("<|endoftext|>"));
        Assert.That(config.BosToken, Is.Null);
        AddedToken gmask = config.AddedTokensDecoder.Values.Single(t => t.Content == "[gMASK]");
        Assert.That(gmask.Special, Is.True);
        Assert.That(gmask.Normalized, Is.False, "a missing 'normalized' defaults to !special");
        Assert.That(tokenizer.TryGetTokenId("[gMASK]", out int id) && id == gmask.Id, Is.True);
        Assert.That(config.ModelMaxLength, Is.EqualTo(202752));
    }

    [Test]
    public void ListFormChatTemplatePicksDefault()
    {
        TokenizerConfig config = TokenizerConfig.Parse("""
            {"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}]}
            """);

        Assert.That(config.ChatTemplate, Is.EqualTo("D"));
        Assert.That(config.ChatTemplates["tool_use"], Is.EqualTo("T"));
    }

    [Test]
    public void TokensAsStringsAndHugeMaxLength()
    {
        TokenizerConfig config = TokenizerConfig.Parse("""
            {"bos_token": "<s>", "eos_token": {"__type": "AddedToken", "content": "</s>"}, "unk_token": null,
             "model_max_length": 1000000000000000019884624838656, "add_eos_token": true,
             "added_tokens_decoder": {"7": {"content": "<x>", "lstrip": true, "rstrip": false, "single_word": true, "normalized": true, "special": false}}}
            """);

        Assert.That(config.BosToken, Is.EqualTo("<s>"));
        Assert.That(config.EosToken, Is.EqualTo("</s>"));
        Assert.That(config.UnkToken, Is.Null);
        Assert.That(config.ChatTemplate, Is.Null);
        Assert.That(config.AddEosToken, Is.True);
        Assert.That(config.ModelMaxLength, Is.EqualTo(long.MaxValue));
        Assert.That(config.AddedTokensDecoder[7], Is.EqualTo(new AddedToken(7, "<x>", false, true, false, true, true)));
    }

    [Test]
    public void MalformedConfigNamesTheFile()
    {
        Assert.That(() => TokenizerConfig.Parse("{\"bos_token\": ", "some/dir/tokenizer_config.json"),
            Throws.TypeOf<TokenizerException>().With.Message.Contains("some/dir/tokenizer_config.json"));
        Assert.That(() => TokenizerConfig.Parse("{\"bos_token\": 3}", "cfg.json"),
            Throws.TypeOf<TokenizerException>().With.Message.Contains("cfg.json: $.bos_token"));
    }
}
