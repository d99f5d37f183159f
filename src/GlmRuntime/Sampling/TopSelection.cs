namespace GlmRuntime.Sampling;

/// <summary>
/// Partial selection of the largest values of a row without sorting all of it: a bounded min-heap of k indices,
/// O(V log k). The order is the one the sampler and logprobs share: larger value first, equal values by lower index.
/// </summary>
internal static class TopSelection
{
    /// <summary>
    /// Writes the indices of the <c>min(destination.Length, values.Length)</c> largest values into
    /// <paramref name="destination"/>, largest first (ties to the lower index), and returns how many it wrote.
    /// </summary>
    /// <param name="values">The row to select from, e.g. logits or probabilities [V].</param>
    /// <param name="destination">Receives the selected indices; its length is k.</param>
    public static int Largest(ReadOnlySpan<float> values, Span<int> destination)
    {
        int k = Math.Min(destination.Length, values.Length);
        if (k == 0)
            return 0;

        // heap[0] is the weakest index kept so far (smallest value; among equals, the highest index).
        var heap = destination[..k];
        for (int i = 0; i < k; i++)
        {
            heap[i] = i;
            SiftUp(values, heap, i);
        }
        for (int i = k; i < values.Length; i++)
        {
            // i is higher than every kept index, so it only enters on a strictly larger value.
            if (values[i] > values[heap[0]])
            {
                heap[0] = i;
                SiftDown(values, heap, 0, k);
            }
        }

        // Heap sort in place: the weakest goes to the back each round, leaving the strongest first.
        for (int end = k - 1; end > 0; end--)
        {
            (heap[0], heap[end]) = (heap[end], heap[0]);
            SiftDown(values, heap, 0, end);
        }
        return k;
    }

    /// <summary>True when index a ranks below index b (smaller value, or equal value and higher index).</summary>
    private static bool Weaker(ReadOnlySpan<float> values, int a, int b) =>
        values[a] < values[b] || (values[a] == values[b] && a > b);

    private static void SiftUp(ReadOnlySpan<float> values, Span<int> heap, int child)
    {
        while (child > 0)
        {
            int parent = (child - 1) / 2;
            if (!Weaker(values, heap[child], heap[parent]))
                return;
            (heap[child], heap[parent]) = (heap[parent], heap[child]);
            child = parent;
        }
    }

    private static void SiftDown(ReadOnlySpan<float> values, Span<int> heap, int parent, int count)
    {
        while (true)
        {
            int weakest = parent;
            int left = 2 * parent + 1;
            int right = left + 1;
            if (left < count && Weaker(values, heap[left], heap[weakest]))
                weakest = left;
            if (right < count && Weaker(values, heap[right], heap[weakest]))
                weakest = right;
            if (weakest == parent)
                return;
            (heap[parent], heap[weakest]) = (heap[weakest], heap[parent]);
            parent = weakest;
        }
    }
}
