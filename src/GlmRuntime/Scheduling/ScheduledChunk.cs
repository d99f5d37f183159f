namespace GlmRuntime.Scheduling;

/// <summary>One request's share of a step.</summary>
/// <param name="RequestId">The request.</param>
/// <param name="TokenCount">Tokens to run, starting at its computed count (1 for a decode).</param>
/// <param name="IsAdmission">True when the request moves from waiting to running in this step.</param>
/// <param name="PageCount">Pages its page table must hold after this step's allocation.</param>
internal readonly record struct ScheduledChunk(long RequestId, int TokenCount, bool IsAdmission, int PageCount);
