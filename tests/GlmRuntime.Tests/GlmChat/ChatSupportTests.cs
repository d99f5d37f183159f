using GlmChat;
using GlmRuntime.Weights;

namespace GlmRuntime.Tests.GlmChat;

public class ChatSupportTests
{
    [Test]
    public void CtrlCCancelsOnlyWhileAnAnswerRuns()
    {
        var ctrlC = new AnswerCancellation();
        Assert.That(ctrlC.TryCancelAnswer(), Is.False);
        CancellationToken answer = ctrlC.BeginAnswer();
        Assert.That(ctrlC.TryCancelAnswer(), Is.True);
        Assert.That(answer.IsCancellationRequested, Is.True);
        ctrlC.EndAnswer();
        Assert.That(ctrlC.TryCancelAnswer(), Is.False);
        Assert.That(ctrlC.BeginAnswer().IsCancellationRequested, Is.False, "each answer gets a fresh token");
    }

    [Test]
    public void ProgressBarRedrawsOnlyWhenThePercentageChanges()
    {
        var output = new StringWriter();
        var bar = new LoadProgressBar(output, width: 10);
        bar.Report(new LoadProgress(1, 4, 0, 1000, "a"));
        bar.Report(new LoadProgress(2, 4, 1, 1000, "b"));
        bar.Report(new LoadProgress(3, 4, 500, 1000, "c"));
        bar.Report(new LoadProgress(4, 4, 1000, 1000, "d"));
        bar.Complete();
        Assert.That(output.ToString(), Is.EqualTo(
            "\rLoading [----------]   0%  1/4 tensors" +
            "\rLoading [#####-----]  50%  3/4 tensors" +
            "\rLoading [##########] 100%  4/4 tensors" + Environment.NewLine));
    }

    [Test]
    public void ProgressBarThatNeverDrewWritesNothing()
    {
        var output = new StringWriter();
        new LoadProgressBar(output).Complete();
        Assert.That(output.ToString(), Is.Empty);
    }
}
