using System.Buffers.Binary;
using System.Text;
using GlmRuntime.Checkpoints;
using GlmRuntime.Tensors;
using GlmRuntime.Tests.Support;

namespace GlmRuntime.Tests.Checkpoints;

public class SafetensorsFileTests
{
    private static byte[] ValidFile()
    {
        using var dir = new TempDirectory();
        var writer = new SafetensorsWriter();
        writer.Metadata["format"] = "pt";
        writer.AddF32("a", [2, 3], [1, 2, 3, 4, 5, 6]);
        writer.AddBF16("b", [4], [1, -1, 0.5f, 2]);
        writer.Add("c", DType.U8, [3], [7, 8, 9]);
        writer.Write(dir.File("x.safetensors"));
        return File.ReadAllBytes(dir.File("x.safetensors"));
    }

    private static byte[] Build(string headerJson, int dataBytes)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        var file = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        return file;
    }

    private static CheckpointException OpenFails(byte[] bytes, string because)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path).Dispose(), because)!;
        Assert.That(e.Message, Does.Contain(path), "the message names the file");
        return e;
    }

    [Test]
    public void RoundTripsThroughTheWriter()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("ok.safetensors"), ValidFile());
        using var file = SafetensorsFile.Open(dir.File("ok.safetensors"));
        Assert.That(file.Tensors.Keys, Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(file.Header.Metadata["format"], Is.EqualTo("pt"));
        Assert.That(file.Header.DataStart % SafetensorsWriter.DataAlignment, Is.EqualTo(0), "header padded so the data starts on a cache line");
        unsafe
        {
            fixed (byte* first = file.GetBytes(file.GetInfo("a")))
                Assert.That((long)first % SafetensorsWriter.DataAlignment, Is.EqualTo(0), "the mapped data starts on a cache line");
        }
        var a = file.GetInfo("a");
        Assert.That(a.Shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(file.GetBytes(a)).ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(file.GetBytes(file.GetInfo("c")).ToArray(), Is.EqualTo(new byte[] { 7, 8, 9 }));
    }

    [Test]
    public unsafe void Data_that_does_not_start_on_a_cache_line_is_read_into_aligned_memory()
    {
        // As the reference writer may lay it out: the header padded to a multiple of 8 bytes, here 104, so the data
        // starts at 112 = 48 (mod 64).
        string json = "{\"w\":{\"dtype\":\"U8\",\"shape\":[100],\"data_offsets\":[0,100]}}".PadRight(104);
        byte[] bytes = Build(json, 100);
        for (int i = 0; i < 100; i++)
            bytes[112 + i] = (byte)(i * 7 + 1);
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("odd.safetensors"), bytes);
        using var copied = SafetensorsFile.Open(dir.File("odd.safetensors"), SafetensorsDataPlacement.CacheLineAligned);
        using var mapped = SafetensorsFile.Open(dir.File("odd.safetensors"));
        Assert.That(copied.IsCopied, Is.True, "misaligned data is copied when asked for cache lines");
        Assert.That(mapped.IsCopied, Is.False, "mapped by default");
        fixed (byte* c = copied.GetBytes(copied.GetInfo("w")))
        fixed (byte* m = mapped.GetBytes(mapped.GetInfo("w")))
        {
            Assert.That((long)c % 64, Is.EqualTo(0), "the copy starts on a cache line");
            Assert.That((long)m % 64, Is.EqualTo(48), "the mapping keeps the file's offset");
        }
        Assert.That(copied.GetBytes(copied.GetInfo("w")).ToArray(), Is.EqualTo(bytes[112..]));
        Assert.That(mapped.GetBytes(mapped.GetInfo("w")).ToArray(), Is.EqualTo(bytes[112..]));
        copied.Dispose();
        Assert.Throws<ObjectDisposedException>(() => copied.GetBytes(copied.GetInfo("w")));
    }

    [Test]
    public void ReadsAfterDisposeThrowInsteadOfCrashing()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("ok.safetensors"), ValidFile());
        var file = SafetensorsFile.Open(dir.File("ok.safetensors"));
        var info = file.GetInfo("a");
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.GetBytes(info));
    }

    [Test]
    public void TruncatedFile()
    {
        byte[] ok = ValidFile();
        var e = OpenFails(ok[..^1], "the last tensor runs past the end");
        Assert.That(e.TensorName, Is.EqualTo("c"));
    }

    [Test]
    public void ShorterThanTheLengthPrefix() => OpenFails([1, 2, 3], "fewer than 8 bytes");

    [Test]
    public void HeaderLengthBeyondTheFile()
    {
        byte[] ok = ValidFile();
        BinaryPrimitives.WriteUInt64LittleEndian(ok, (ulong)ok.Length);
        Assert.That(OpenFails(ok, "header length past EOF").Message, Does.Contain("past the end of the file"));
    }

    [Test]
    public void AbsurdHeaderLength()
    {
        byte[] ok = ValidFile();
        BinaryPrimitives.WriteUInt64LittleEndian(ok, ulong.MaxValue);
        Assert.That(OpenFails(ok, "2^64-1").Message, Does.Contain("limit"));
    }

    [Test]
    public void OverlappingOffsets()
    {
        var bytes = Build("""{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}""", 6);
        Assert.That(OpenFails(bytes, "overlap").Message, Does.Contain("overlaps"));
    }

    [Test]
    public void OutOfRangeOffsets()
    {
        var bytes = Build("""{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[8,12]}}""", 8);
        Assert.That(OpenFails(bytes, "past the data").TensorName, Is.EqualTo("b"));
    }

    [Test]
    public void NegativeOrReversedOffsets()
    {
        OpenFails(Build("""{"a":{"dtype":"U8","shape":[0],"data_offsets":[-4,-4]}}""", 0), "negative");
        OpenFails(Build("""{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}""", 4), "reversed");
    }

    [Test]
    public void UnknownDType()
    {
        var e = OpenFails(Build("""{"w":{"dtype":"F4_MAGIC","shape":[2],"data_offsets":[0,2]}}""", 2), "unknown dtype");
        Assert.That(e.TensorName, Is.EqualTo("w"));
        Assert.That(e.Message, Does.Contain("F4_MAGIC"));
    }

    [Test]
    public void ByteCountNotMatchingTheShape()
    {
        var e = OpenFails(Build("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8), "3 floats need 12 bytes");
        Assert.That(e.Message, Does.Contain("needs 12"));
    }

    [Test]
    public void ShapeOverflow() =>
        OpenFails(Build("""{"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}}""", 8), "overflowing shape");

    [Test]
    public void InvalidUtf8Header()
    {
        byte[] bytes = Build("""{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", 1);
        bytes[10] = 0xC3; // a lead byte followed by '"' is invalid UTF-8
        Assert.That(OpenFails(bytes, "bad UTF-8").Message, Does.Contain("UTF-8"));
    }

    [Test]
    public void InvalidJsonHeader()
    {
        Assert.That(OpenFails(Build("""{"w":{"dtype":"U8",""", 0), "truncated JSON").Message, Does.Contain("JSON"));
        OpenFails(Build("[1,2,3]", 0), "not an object");
        OpenFails(Build("""{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", 1), "duplicate");
        OpenFails(Build("""{"w":{"dtype":"U8","shape":"1","data_offsets":[0,1]}}""", 1), "shape not an array");
        OpenFails(Build("""{"w":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}}""", 1), "fractional dim");
        OpenFails(Build("""{"w":{"dtype":"U8","shape":[1],"data_offsets":[0]}}""", 1), "one offset");
        OpenFails(Build("""{"__metadata__":{"k":1}}""", 0), "non-string metadata");
    }

    [Test]
    public void MissingFileNamesThePath()
    {
        var e = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open("/nonexistent/model.safetensors"))!;
        Assert.That(e.Message, Does.Contain("/nonexistent/model.safetensors"));
    }

    /// <summary>
    /// Mutates random header and length bytes of a valid file 1,500 times: every outcome must be a clean
    /// open (whose tensors all read within bounds) or a <see cref="CheckpointException"/>; nothing else.
    /// </summary>
    [Test]
    public void RandomizedHeaderCorruptionNeverCrashes()
    {
        byte[] ok = ValidFile();
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(ok);
        var random = new Random(12345);
        using var dir = new TempDirectory();
        string path = dir.File("fuzz.safetensors");
        int opened = 0, rejected = 0;
        for (int iteration = 0; iteration < 1500; iteration++)
        {
            byte[] bytes = (byte[])ok.Clone();
            int mutations = 1 + random.Next(4);
            for (int m = 0; m < mutations; m++)
            {
                int position = random.Next(headerEnd);
                bytes[position] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => (byte)"0123456789[]{},:\"-e."[random.Next(20)],
                    _ => (byte)(bytes[position] ^ (1 << random.Next(8))),
                };
            }
            if (random.Next(10) == 0)
                bytes = bytes[..random.Next(bytes.Length)];
            File.WriteAllBytes(path, bytes);
            try
            {
                using var file = SafetensorsFile.Open(path);
                foreach (var info in file.Tensors.Values)
                    _ = file.GetBytes(info).ToArray();
                opened++;
            }
            catch (CheckpointException)
            {
                rejected++;
            }
        }
        Assert.That(opened + rejected, Is.EqualTo(1500));
        Assert.That(rejected, Is.GreaterThan(500), "most mutations must be caught");
    }
}
