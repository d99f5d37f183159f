using System.Runtime.InteropServices;
using System.Text;

namespace GlmRuntime.Native;

// Mirrors of native/include/glmrt.h's structs and enums, field for field (sequential, natural alignment).

internal enum GlmrtStatus
{
    Ok = 0,
    InvalidArgument = 1,
    NoDevice = 2,
    OutOfMemory = 3,
    Runtime = 4,
    Launch = 5,
    Unsupported = 6,
    Driver = 7,
}

internal enum GlmrtDType
{
    F32 = 0,
    F16 = 1,
    BF16 = 2,
    Fp8Block = 3,
    Mxfp4 = 4,
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GlmrtRuntimeInfo
{
    public fixed byte Vendor[16];
    public int RuntimeVersion;
    public int DriverVersion;
    public int DeviceCount;
    public int DeviceQueryError;
    public fixed byte DeviceQueryMessage[256];
    public fixed byte CompiledArchitectures[256];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GlmrtDeviceInfo
{
    public fixed byte Name[256];
    public fixed byte Architecture[64];
    public ulong TotalMemory;
    public ulong FreeMemory;
    public int MultiprocessorCount;
    public int WarpSize;
    public int ComputeMajor;
    public int ComputeMinor;
    public int PciBusId;
    public int ClockKhz;
    public int MemoryClockKhz;
    public int MemoryBusWidth;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GlmrtDeviceParams
{
    public int Index;
}

/// <summary>A weight matrix as device pointers (glmrt_matrix).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GlmrtMatrix
{
    public GlmrtDType DType;
    public int Rows;
    public int Columns;
    public int BlockRows;
    public int BlockColumns;
    public int Reserved;
    public nint Data;
    public nint Scales;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GlmrtRopeParams
{
    public int Heads;
    public int HeadStride;
    public int Offset;
    public int RotaryDim;
    public int Interleaved;
    public float AttentionFactor;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GlmrtRouterParams
{
    public int ExpertCount;
    public int ExpertsPerToken;
    public int GroupCount;
    public int GroupsKept;
    public int NormalizeTopK;
    public int SoftmaxScoring;
    public float ScalingFactor;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GlmrtHeadProjection
{
    public int Heads;
    public int RowsPerHead;
    public int RowOffset;
    public int Inner;
    public int XStride;
    public int OutStride;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GlmrtMlaAttentionParams
{
    public int Heads;
    public int KvRank;
    public int RopeDim;
    public int NopeDim;
    public int ValueDim;
    public int PageSize;
    public int CachedCount;
    public int SelectedPerQuery;
    public float Scale;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GlmrtSamplingParams
{
    public float Temperature;
    public int TopK;
    public float TopP;
    public float MinP;
}

internal enum GlmrtKvFormat
{
    F32 = 0,
    BF16 = 1,
    Fp8E4M3 = 2,
}

[StructLayout(LayoutKind.Sequential)]
internal struct GlmrtExpertMatrices
{
    public nint Gate;
    public nint GateScales;
    public nint Up;
    public nint UpScales;
    public nint Down;
    public nint DownScales;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GlmrtMoeParams
{
    public GlmrtDType DType;
    public GlmrtDType ActivationDType;
    public int Hidden;
    public int Intermediate;
    public int ExpertCount;
    public int ExpertsPerToken;
    public int BlockRows;
    public int BlockColumns;
    public int TokensPerTile;
    public int RowsPerWarp;
    public int WarpsPerBlock;
    public int Reserved;
}

internal static class GlmrtText
{
    /// <summary>A NUL-terminated UTF-8 field of a native struct.</summary>
    public static unsafe string Read(byte* field, int capacity)
    {
        var bytes = new ReadOnlySpan<byte>(field, capacity);
        int end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }
}
