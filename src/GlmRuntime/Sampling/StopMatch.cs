namespace GlmRuntime.Sampling;

/// <summary>What one <see cref="StopStringMatcher.Append"/> decided.</summary>
/// <param name="Emit">Text that may be streamed now (possibly empty: it may all be held back).</param>
/// <param name="Stopped">A stop string matched: <paramref name="Emit"/> is the last text and generation ends.</param>
internal readonly record struct StopMatch(string Emit, bool Stopped);
