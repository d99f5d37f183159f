namespace GlmRuntime.Engine;

/// <summary>One request's share of a step.</summary>
/// <param name="Request">The request.</param>
/// <param name="TokenCount">Known tokens to run after what its KV holds (a prefill chunk, or 1 for a decode).</param>
/// <param name="DraftCount">Tokens to draft and verify after a decode's token (speculative decoding), else 0.</param>
internal readonly record struct StepWork(EngineRequest Request, int TokenCount, int DraftCount = 0);
