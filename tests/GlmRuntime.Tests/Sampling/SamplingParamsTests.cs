namespace GlmRuntime.Tests.Sampling;

[TestFixture]
public sealed class SamplingParamsTests
{
    [Test]
    public void Defaults_are_valid_and_neutral()
    {
        var p = new SamplingParams();
        Assert.DoesNotThrow(p.Validate);
        Assert.That((p.RepetitionPenalty, p.PresencePenalty, p.FrequencyPenalty, p.MinTokens), Is.EqualTo((1.0, 0.0, 0.0, 0)));
        Assert.That(p.Logprobs, Is.Null);
        Assert.That(p.Stop, Is.Empty);
    }

    private static IEnumerable<TestCaseData> OutOfRange()
    {
        yield return new TestCaseData(new SamplingParams { MinTokens = -1 }, "MinTokens").SetArgDisplayNames("{ MinTokens = -1 }");
        yield return new TestCaseData(new SamplingParams { MaxTokens = 4, MinTokens = 5 }, "MinTokens").SetArgDisplayNames("{ MaxTokens = 4, MinTokens = 5 }");
        yield return new TestCaseData(new SamplingParams { RepetitionPenalty = 0 }, "RepetitionPenalty").SetArgDisplayNames("{ RepetitionPenalty = 0 }");
        yield return new TestCaseData(new SamplingParams { RepetitionPenalty = 2.5 }, "RepetitionPenalty").SetArgDisplayNames("{ RepetitionPenalty = 2.5 }");
        yield return new TestCaseData(new SamplingParams { PresencePenalty = -2.1 }, "PresencePenalty").SetArgDisplayNames("{ PresencePenalty = -2.1 }");
        yield return new TestCaseData(new SamplingParams { FrequencyPenalty = 2.1 }, "FrequencyPenalty").SetArgDisplayNames("{ FrequencyPenalty = 2.1 }");
        yield return new TestCaseData(new SamplingParams { FrequencyPenalty = double.NaN }, "FrequencyPenalty").SetArgDisplayNames("{ FrequencyPenalty = double.NaN }");
        yield return new TestCaseData(new SamplingParams { Logprobs = -1 }, "Logprobs").SetArgDisplayNames("{ Logprobs = -1 }");
        yield return new TestCaseData(new SamplingParams { Logprobs = SamplingParams.MaxLogprobs + 1 }, "Logprobs").SetArgDisplayNames("{ Logprobs = SamplingParams.MaxLogprobs + 1 }");
    }

    [TestCaseSource(nameof(OutOfRange))]
    public void Out_of_range_options_name_themselves(SamplingParams p, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(p.Validate);
        Assert.That(error!.ParamName, Is.EqualTo(name));
    }

    private static IEnumerable<TestCaseData> Invalid()
    {
        yield return new TestCaseData(new SamplingParams { Stop = ["ok", ""] }, "Stop").SetArgDisplayNames("{ Stop = [ok, ] }");
        yield return new TestCaseData(new SamplingParams { LogitBias = new Dictionary<int, float> { [-1] = 1f } }, "LogitBias").SetArgDisplayNames("{ LogitBias = new Dictionary<int, float> { [-1] = 1f } }");
        yield return new TestCaseData(new SamplingParams { LogitBias = new Dictionary<int, float> { [3] = float.NaN } }, "LogitBias").SetArgDisplayNames("{ LogitBias = new Dictionary<int, float> { [3] = float.NaN } }");
        yield return new TestCaseData(new SamplingParams { StopTokenIds = null! }, "StopTokenIds").SetArgDisplayNames("{ StopTokenIds = null! }");
    }

    [TestCaseSource(nameof(Invalid))]
    public void Invalid_options_name_themselves(SamplingParams p, string name)
    {
        var error = Assert.Throws(Is.InstanceOf<ArgumentException>(), p.Validate);
        Assert.That(((ArgumentException)error!).ParamName, Is.EqualTo(name));
    }

    [Test]
    public void Boundary_values_are_accepted()
    {
        var p = new SamplingParams
        {
            RepetitionPenalty = 2, PresencePenalty = -2, FrequencyPenalty = 2, Logprobs = SamplingParams.MaxLogprobs,
            MinTokens = 256, LogitBias = new Dictionary<int, float> { [0] = 1e6f }, Stop = ["x"],
        };
        Assert.DoesNotThrow(p.Validate);
    }
}
