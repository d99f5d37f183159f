namespace GlmRuntime.Tests;

public class SmokeTests
{
    [Test]
    public void SharedDataIsPresent() => Assert.That(Directory.Exists(Support.SharedData.Models), Is.True);
}
