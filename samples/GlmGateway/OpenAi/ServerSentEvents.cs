using System.Buffers;
using System.Text.Json;

namespace GlmGateway.OpenAi;

/// <summary>Writes an OpenAI stream: one <c>data: {json}</c> event per chunk, flushed at once, then <c>data: [DONE]</c>.</summary>
internal sealed class ServerSentEvents
{
    private static readonly byte[] Prefix = "data: "u8.ToArray();
    private static readonly byte[] Separator = "\n\n"u8.ToArray();
    private readonly HttpResponse _response;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    public ServerSentEvents(HttpResponse response) => _response = response;

    /// <summary>
    /// Streams <paramref name="updates"/>: the first is pulled before the headers go out (so a request the engine
    /// rejects still gets its 400), then <paramref name="onStart"/>, each update, a failure as an error event, and
    /// <c>[DONE]</c>.
    /// </summary>
    public async Task RunAsync<T>(IAsyncEnumerable<T> updates, Func<Task> onStart, Func<T, Task> onUpdate, CancellationToken cancellationToken)
    {
        await using var enumerator = updates.GetAsyncEnumerator(cancellationToken);
        bool any = await enumerator.MoveNextAsync();
        await StartAsync(cancellationToken);
        await onStart();
        try
        {
            for (; any; any = await enumerator.MoveNextAsync())
                await onUpdate(enumerator.Current);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException && !cancellationToken.IsCancellationRequested)
        {
            await WriteErrorAsync(e, cancellationToken);
        }
        await DoneAsync(cancellationToken);
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        _response.StatusCode = StatusCodes.Status200OK;
        _response.ContentType = "text/event-stream; charset=utf-8";
        _response.Headers.CacheControl = "no-cache";
        _response.Headers["X-Accel-Buffering"] = "no"; // proxies must not hold tokens back
        await _response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>Writes one event whose JSON <paramref name="write"/> produces.</summary>
    public async Task WriteAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        _buffer.ResetWrittenCount();
        _buffer.Write(Prefix);
        using (var json = new Utf8JsonWriter(_buffer, ResponseFields.WriterOptions))
            write(json);
        _buffer.Write(Separator);
        await _response.Body.WriteAsync(_buffer.WrittenMemory, cancellationToken);
        await _response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>A failure after the headers went out: reported as an error event (vLLM's way), the stream then ends.</summary>
    private Task WriteErrorAsync(Exception e, CancellationToken cancellationToken) =>
        WriteAsync(new OpenAiException(StatusCodes.Status500InternalServerError, e.Message, type: "server_error").WriteTo, cancellationToken);

    private async Task DoneAsync(CancellationToken cancellationToken)
    {
        await _response.Body.WriteAsync("data: [DONE]\n\n"u8.ToArray(), cancellationToken);
        await _response.Body.FlushAsync(cancellationToken);
    }
}
