using GlmRuntime.Weights;

namespace GlmChat;

/// <summary>
/// A one-line text progress bar for <see cref="GlmRuntime.GlmEngine.LoadAsync"/>, redrawn with '\r' only when the
/// percentage changes. Reports may arrive on a loader thread, hence the lock; it writes synchronously rather
/// than through <see cref="Progress{T}"/>, whose posted callbacks could land after the bar is finished.
/// </summary>
internal sealed class LoadProgressBar(TextWriter writer, int width = 30) : IProgress<LoadProgress>
{
    private readonly Lock _gate = new();
    private int _shownPercent = -1;

    public void Report(LoadProgress value)
    {
        int percent = (int)Math.Floor(Math.Clamp(value.Fraction, 0, 1) * 100);
        lock (_gate)
        {
            if (percent == _shownPercent)
                return;
            _shownPercent = percent;
            int filled = percent * width / 100;
            writer.Write($"\rLoading [{new string('#', filled)}{new string('-', width - filled)}] {percent,3}%  {value.TensorsDone}/{value.TensorCount} tensors");
            writer.Flush();
        }
    }

    /// <summary>Ends the bar's line (if one was drawn).</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_shownPercent >= 0)
                writer.WriteLine();
            _shownPercent = -1;
        }
    }
}
