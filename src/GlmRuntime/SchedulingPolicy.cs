namespace GlmRuntime;

/// <summary>The order in which waiting requests are admitted.</summary>
public enum SchedulingPolicy
{
    /// <summary>First come, first served.</summary>
    Fcfs,

    /// <summary>Lowest <see cref="GenerationRequest.Priority"/> first, ties by arrival; preemption takes the highest value, newest first.</summary>
    Priority,
}
