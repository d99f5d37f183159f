using GlmRuntime.LoadGenerator;

namespace GlmRuntime.Tests.LoadGenerator;

[TestFixture]
public sealed class ServingWorkloadTests
{
    private static readonly int[] Vocabulary = Enumerable.Range(10, 500).ToArray();

    [Test]
    public void Prompts_share_their_group_prefix_and_have_the_asked_lengths()
    {
        var workload = new ServingWorkload { RequestCount = 40, InputTokens = 100, OutputTokens = 7, SharedPrefixFraction = 0.6, PrefixGroups = 3 };
        var requests = workload.Generate(Vocabulary);
        Assert.That(requests.Select(r => r.PromptTokenIds.Length), Is.All.EqualTo(100));
        Assert.That(requests.Select(r => r.OutputTokens), Is.All.EqualTo(7));
        Assert.That(requests.SelectMany(r => r.PromptTokenIds).All(Vocabulary.Contains), Is.True);
        var prefixes = requests.Select(r => string.Join(",", r.PromptTokenIds[..60])).Distinct().ToList();
        Assert.That(prefixes, Has.Count.EqualTo(3), "three groups, each with one 60-token prefix");
        Assert.That(requests.Select(r => string.Join(",", r.PromptTokenIds[60..])).Distinct().Count(), Is.EqualTo(40), "the rest is unique");
        Assert.That(requests.Select(r => r.Index), Is.EqualTo(Enumerable.Range(0, 40)));
    }

    [Test]
    public void Seeds_make_runs_repeatable_and_rates_distinct()
    {
        var workload = new ServingWorkload { RequestCount = 5, InputTokens = 20, RangeRatio = 0.5 };
        Assert.That(workload.Generate(Vocabulary, 1).Select(r => r.PromptTokenIds), Is.EqualTo(workload.Generate(Vocabulary, 1).Select(r => r.PromptTokenIds)));
        Assert.That(workload.Generate(Vocabulary, 1)[0].PromptTokenIds, Is.Not.EqualTo(workload.Generate(Vocabulary, 2)[0].PromptTokenIds));
        Assert.That(workload.Generate(Vocabulary).Select(r => r.PromptTokenIds.Length), Is.All.InRange(12, 20), "spread keeps the prefix plus one token");
    }

    [Test]
    public void Bad_workloads_name_the_option()
    {
        Assert.That(() => new ServingWorkload { SharedPrefixFraction = 1.5 }.Validate(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("SharedPrefixFraction"));
        Assert.That(() => new ServingWorkload { OutputTokens = 0 }.Validate(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("OutputTokens"));
    }
}
