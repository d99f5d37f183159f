namespace GlmChat;

/// <summary>
/// Routes Ctrl+C: while an answer is being written it cancels only that answer and keeps the process alive;
/// at the prompt it lets the default handling end the process. Console.CancelKeyPress runs on another thread,
/// hence the lock.
/// </summary>
internal sealed class AnswerCancellation
{
    private readonly Lock _gate = new();
    private CancellationTokenSource? _answer;

    /// <summary>Starts an answer; its token is cancelled by <see cref="TryCancelAnswer"/> until <see cref="EndAnswer"/>.</summary>
    public CancellationToken BeginAnswer()
    {
        lock (_gate)
        {
            _answer?.Dispose();
            _answer = new CancellationTokenSource();
            return _answer.Token;
        }
    }

    /// <summary>The answer is over; a Ctrl+C from now on reaches the prompt.</summary>
    public void EndAnswer()
    {
        lock (_gate)
        {
            _answer?.Dispose();
            _answer = null;
        }
    }

    /// <summary>Cancels the running answer; false when none runs (the caller then lets Ctrl+C end the process).</summary>
    public bool TryCancelAnswer()
    {
        lock (_gate)
        {
            if (_answer is null)
                return false;
            _answer.Cancel();
            return true;
        }
    }
}
