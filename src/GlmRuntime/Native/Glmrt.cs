using System.Runtime.InteropServices;

namespace GlmRuntime.Native;

/// <summary>
/// The P/Invoke declarations of native/include/glmrt.h, one per C function, blittable signatures only (device
/// pointers are <see cref="nint"/>). Callers go through <see cref="GlmrtLibrary.EnsureLoaded"/> first, so a missing
/// library fails with the resolver's full probe list rather than a bare DllNotFoundException.
/// </summary>
internal static partial class Glmrt
{
    public const string Library = "glmrt";

    /// <summary>The ABI this assembly was written against (GLMRT_ABI_VERSION).</summary>
    public const int AbiVersion = 2;

    [LibraryImport(Library, EntryPoint = "glmrt_abi_version")] public static partial int abi_version();
    [LibraryImport(Library, EntryPoint = "glmrt_version")] public static partial uint version();
    [LibraryImport(Library, EntryPoint = "glmrt_status_message")] public static partial nint status_message(GlmrtStatus status);
    [LibraryImport(Library, EntryPoint = "glmrt_last_error")] public static partial nint last_error();
    [LibraryImport(Library, EntryPoint = "glmrt_runtime_get_info")] public static unsafe partial GlmrtStatus runtime_get_info(GlmrtRuntimeInfo* info);

    [LibraryImport(Library, EntryPoint = "glmrt_device_count")] public static unsafe partial GlmrtStatus device_count(int* count);
    [LibraryImport(Library, EntryPoint = "glmrt_device_get_info")] public static unsafe partial GlmrtStatus device_get_info(int index, GlmrtDeviceInfo* info);
    [LibraryImport(Library, EntryPoint = "glmrt_device_default_params")] public static partial GlmrtDeviceParams device_default_params();
    [LibraryImport(Library, EntryPoint = "glmrt_device_create")] public static unsafe partial GlmrtStatus device_create(GlmrtDeviceParams p, nint* device);
    [LibraryImport(Library, EntryPoint = "glmrt_device_destroy")] public static partial void device_destroy(nint device);
    [LibraryImport(Library, EntryPoint = "glmrt_device_synchronize")] public static partial GlmrtStatus device_synchronize(DeviceHandle device);

    [LibraryImport(Library, EntryPoint = "glmrt_stream_create")] public static unsafe partial GlmrtStatus stream_create(DeviceHandle device, nint* stream);
    [LibraryImport(Library, EntryPoint = "glmrt_stream_destroy")] public static partial void stream_destroy(nint stream);
    [LibraryImport(Library, EntryPoint = "glmrt_stream_synchronize")] public static partial GlmrtStatus stream_synchronize(StreamHandle stream);

    [LibraryImport(Library, EntryPoint = "glmrt_event_create")] public static unsafe partial GlmrtStatus event_create(DeviceHandle device, nint* gpuEvent);
    [LibraryImport(Library, EntryPoint = "glmrt_event_destroy")] public static partial void event_destroy(nint gpuEvent);
    [LibraryImport(Library, EntryPoint = "glmrt_event_record")] public static partial GlmrtStatus event_record(EventHandle gpuEvent, StreamHandle stream);
    [LibraryImport(Library, EntryPoint = "glmrt_event_synchronize")] public static partial GlmrtStatus event_synchronize(EventHandle gpuEvent);
    [LibraryImport(Library, EntryPoint = "glmrt_event_elapsed_ms")] public static unsafe partial GlmrtStatus event_elapsed_ms(EventHandle start, EventHandle end, float* milliseconds);

    [LibraryImport(Library, EntryPoint = "glmrt_buffer_create")] public static unsafe partial GlmrtStatus buffer_create(DeviceHandle device, ulong bytes, nint* buffer);
    [LibraryImport(Library, EntryPoint = "glmrt_buffer_destroy")] public static partial void buffer_destroy(nint buffer);
    [LibraryImport(Library, EntryPoint = "glmrt_buffer_data")] public static partial nint buffer_data(DeviceBufferHandle buffer);
    [LibraryImport(Library, EntryPoint = "glmrt_buffer_size")] public static partial ulong buffer_size(DeviceBufferHandle buffer);
    [LibraryImport(Library, EntryPoint = "glmrt_host_buffer_create")] public static unsafe partial GlmrtStatus host_buffer_create(DeviceHandle device, ulong bytes, nint* buffer);
    [LibraryImport(Library, EntryPoint = "glmrt_host_buffer_destroy")] public static partial void host_buffer_destroy(nint buffer);
    [LibraryImport(Library, EntryPoint = "glmrt_host_buffer_data")] public static partial nint host_buffer_data(HostBufferHandle buffer);
    [LibraryImport(Library, EntryPoint = "glmrt_host_buffer_size")] public static partial ulong host_buffer_size(HostBufferHandle buffer);
    [LibraryImport(Library, EntryPoint = "glmrt_copy_to_device")] public static unsafe partial GlmrtStatus copy_to_device(StreamHandle stream, DeviceBufferHandle destination, ulong destinationOffset, void* source, ulong bytes);
    [LibraryImport(Library, EntryPoint = "glmrt_copy_to_host")] public static unsafe partial GlmrtStatus copy_to_host(StreamHandle stream, void* destination, DeviceBufferHandle source, ulong sourceOffset, ulong bytes);
    [LibraryImport(Library, EntryPoint = "glmrt_copy_on_device")] public static partial GlmrtStatus copy_on_device(StreamHandle stream, DeviceBufferHandle destination, ulong destinationOffset, DeviceBufferHandle source, ulong sourceOffset, ulong bytes);
    [LibraryImport(Library, EntryPoint = "glmrt_buffer_fill")] public static partial GlmrtStatus buffer_fill(StreamHandle stream, DeviceBufferHandle buffer, ulong offset, ulong bytes, byte value);

    [LibraryImport(Library, EntryPoint = "glmrt_weights_create")] public static unsafe partial GlmrtStatus weights_create(DeviceHandle device, ulong capacity, nint* weights);
    [LibraryImport(Library, EntryPoint = "glmrt_weights_destroy")] public static partial void weights_destroy(nint weights);
    [LibraryImport(Library, EntryPoint = "glmrt_weights_upload")] public static unsafe partial GlmrtStatus weights_upload(WeightsHandle weights, StreamHandle stream, void* data, ulong bytes, ulong* offset);
    [LibraryImport(Library, EntryPoint = "glmrt_weights_data")] public static partial nint weights_data(WeightsHandle weights);
    [LibraryImport(Library, EntryPoint = "glmrt_weights_used")] public static partial ulong weights_used(WeightsHandle weights);
    [LibraryImport(Library, EntryPoint = "glmrt_weights_capacity")] public static partial ulong weights_capacity(WeightsHandle weights);

    [LibraryImport(Library, EntryPoint = "glmrt_rope_default_params")] public static partial GlmrtRopeParams rope_default_params();
    [LibraryImport(Library, EntryPoint = "glmrt_router_default_params")] public static partial GlmrtRouterParams router_default_params();
    [LibraryImport(Library, EntryPoint = "glmrt_mla_attention_default_params")] public static partial GlmrtMlaAttentionParams mla_attention_default_params();
    [LibraryImport(Library, EntryPoint = "glmrt_sampling_default_params")] public static partial GlmrtSamplingParams sampling_default_params();
    [LibraryImport(Library, EntryPoint = "glmrt_embedding_gather")] public static partial GlmrtStatus embedding_gather(StreamHandle stream, GlmrtMatrix table, nint tokens, int count, nint output);
    [LibraryImport(Library, EntryPoint = "glmrt_rms_norm_f32")] public static partial GlmrtStatus rms_norm_f32(StreamHandle stream, nint x, nint weight, nint y, int rows, int width, float epsilon);
    [LibraryImport(Library, EntryPoint = "glmrt_layer_norm_f32")] public static partial GlmrtStatus layer_norm_f32(StreamHandle stream, nint x, nint gamma, nint beta, nint y, int rows, int width, float epsilon);
    [LibraryImport(Library, EntryPoint = "glmrt_rope_f32")] public static partial GlmrtStatus rope_f32(StreamHandle stream, nint data, int rows, nint positions, nint inverseFrequencies, GlmrtRopeParams p);
    [LibraryImport(Library, EntryPoint = "glmrt_swiglu_f32")] public static partial GlmrtStatus swiglu_f32(StreamHandle stream, nint gate, nint up, nint output, long count);
    [LibraryImport(Library, EntryPoint = "glmrt_gemm")] public static partial GlmrtStatus gemm(StreamHandle stream, GlmrtMatrix weight, nint x, int tokens, nint y);
    [LibraryImport(Library, EntryPoint = "glmrt_router_topk_f32")] public static partial GlmrtStatus router_topk_f32(StreamHandle stream, nint logits, nint correctionBias, int tokens, GlmrtRouterParams p, nint experts, nint weights);
    [LibraryImport(Library, EntryPoint = "glmrt_mla_absorb_query")] public static partial GlmrtStatus mla_absorb_query(StreamHandle stream, GlmrtMatrix kvB, GlmrtHeadProjection p, nint x, int tokens, nint output);
    [LibraryImport(Library, EntryPoint = "glmrt_mla_expand_values")] public static partial GlmrtStatus mla_expand_values(StreamHandle stream, GlmrtMatrix kvB, GlmrtHeadProjection p, nint x, int tokens, nint output);
    [LibraryImport(Library, EntryPoint = "glmrt_mla_attention_decode_f32")] public static partial GlmrtStatus mla_attention_decode_f32(StreamHandle stream, GlmrtMlaAttentionParams p, nint query, nint latentPool, nint pageTable, nint positions, nint selected, int tokens, nint output);
    [LibraryImport(Library, EntryPoint = "glmrt_sparse_mla_decode_f32")] public static partial GlmrtStatus sparse_mla_decode_f32(StreamHandle stream, GlmrtMlaAttentionParams p, nint query, nint latentPool, nint pageTable, nint positions, nint selected, int tokens, nint output);
    [LibraryImport(Library, EntryPoint = "glmrt_kv_row_bytes")] public static partial ulong kv_row_bytes(GlmrtKvFormat format, int kvRank, int ropeDim);
    [LibraryImport(Library, EntryPoint = "glmrt_sparse_mla_decode")] public static partial GlmrtStatus sparse_mla_decode(StreamHandle stream, GlmrtMlaAttentionParams p, GlmrtKvFormat latentFormat, nint query, nint latentPool, nint pageTable, nint positions, nint selected, int tokens, nint output);
    [LibraryImport(Library, EntryPoint = "glmrt_mla_attention_expanded_f32")] public static partial GlmrtStatus mla_attention_expanded_f32(StreamHandle stream, GlmrtMlaAttentionParams p, nint query, nint expandedKv, nint latentPool, nint pageTable, nint positions, nint selected, int tokens, nint output);
    [LibraryImport(Library, EntryPoint = "glmrt_indexer_topk_f32")] public static partial GlmrtStatus indexer_topk_f32(StreamHandle stream, nint query, nint headWeights, nint keys, nint pageTable, int pageSize, int tokens, int heads, int headDim, int keyCount, nint positions, int topK, nint scores, nint selected);
    [LibraryImport(Library, EntryPoint = "glmrt_mtp_metadata")] public static partial GlmrtStatus mtp_metadata(StreamHandle stream, nint kvLengths, nint mtpLengths, nint drafts, nint pageTable, int requests, int pageTableStride, int pageSize, int steps, int maxRows, nint rowStarts, nint cacheLengths, nint positions, nint slots, nint error);
    [LibraryImport(Library, EntryPoint = "glmrt_moe_default_params")] public static partial GlmrtMoeParams moe_default_params();
    [LibraryImport(Library, EntryPoint = "glmrt_moe_workspace_size")] public static unsafe partial GlmrtStatus moe_workspace_size(GlmrtMoeParams p, int tokens, ulong* bytes);
    [LibraryImport(Library, EntryPoint = "glmrt_moe_align")] public static partial GlmrtStatus moe_align(StreamHandle stream, GlmrtMoeParams p, nint experts, int tokens, nint sorted, nint tileExperts, nint tileCount);
    [LibraryImport(Library, EntryPoint = "glmrt_moe_experts")] public static partial GlmrtStatus moe_experts(StreamHandle stream, GlmrtMoeParams p, nint table, nint x, nint experts, nint weights, int tokens, nint workspace, ulong workspaceBytes, nint y);
    [LibraryImport(Library, EntryPoint = "glmrt_sample_f32")] public static partial GlmrtStatus sample_f32(StreamHandle stream, nint logits, int rows, int vocab, GlmrtSamplingParams p, nint uniforms, nint scratch, nint tokens);

    /// <summary>Throws <see cref="GlmGpuException"/> with the native message when <paramref name="status"/> is not OK.</summary>
    public static void Check(GlmrtStatus status)
    {
        if (status != GlmrtStatus.Ok)
            throw new GlmGpuException((int)status, LastError(status));
    }

    /// <summary>The calling thread's last native error text, or the status's description when there is none.</summary>
    public static string LastError(GlmrtStatus status)
    {
        string detail = Marshal.PtrToStringUTF8(last_error()) ?? "";
        return detail.Length > 0 ? detail : Marshal.PtrToStringUTF8(status_message(status)) ?? status.ToString();
    }
}
