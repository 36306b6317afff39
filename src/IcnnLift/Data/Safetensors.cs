using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace IcnnLift.Data;

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range (and string metadata under "__metadata__"), then the tensors' bytes, little-endian
/// and row-major. Written here rather than through TorchSharp.PyBridge because a reader of our models needs the
/// metadata, which PyBridge does not write; NumPy alone reads it (python/icnn_lift_reader.py).
/// </summary>
public static class Safetensors
{
    private static readonly Dictionary<ScalarType, string> DTypes = new()
    {
        [ScalarType.Float32] = "F32", [ScalarType.Float64] = "F64", [ScalarType.Int64] = "I64", [ScalarType.Byte] = "U8",
    };

    /// <summary>Writes <paramref name="tensors"/> in their order, with <paramref name="metadata"/>, atomically.</summary>
    public static void Write(string path, IReadOnlyList<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))) };
        var data = new List<byte[]>();
        long offset = 0;
        foreach (var (name, value) in tensors)
        {
            var cpu = value.detach().cpu().contiguous();
            var bytes = cpu.bytes.ToArray();
            if (!DTypes.TryGetValue(cpu.dtype, out var dtype)) throw new ArgumentException($"{name}: dtype {cpu.dtype} is not written");
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(cpu.shape.Select(n => (JsonNode?)n).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            data.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = json.Concat(Enumerable.Repeat((byte)' ', (8 - json.Length % 8) % 8)).ToArray(); // the format pads to 8 bytes
        AtomicFile.Write(path, (Stream stream) =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded.Length);
            stream.Write(length);
            stream.Write(padded);
            foreach (var bytes in data) stream.Write(bytes);
        });
    }

    /// <summary>The tensors (CPU) and metadata of a safetensors file.</summary>
    /// <exception cref="InputException">The file is not a safetensors file this reader understands.</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        var file = File.ReadAllBytes(path);
        try
        {
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file);
            int start = checked(8 + (int)length);
            var header = JsonNode.Parse(Encoding.UTF8.GetString(file, 8, start - 8))?.AsObject() ?? throw new FormatException("no header");
            var tensors = new Dictionary<string, Tensor>();
            var metadata = new Dictionary<string, string>();
            JsonNode Field(JsonNode? entry, string key) => entry?[key] ?? throw new FormatException($"an entry without {key}");
            foreach (var (name, entry) in header)
            {
                if (name == "__metadata__")
                {
                    foreach (var (key, value) in Field(header, name).AsObject()) metadata[key] = value?.GetValue<string>() ?? "";
                    continue;
                }
                var dtype = DTypes.Single(d => d.Value == Field(entry, "dtype").GetValue<string>()).Key;
                var shape = Field(entry, "shape").AsArray().Select(n => n?.GetValue<long>() ?? -1).ToArray();
                var range = Field(entry, "data_offsets").AsArray().Select(n => n?.GetValue<long>() ?? -1).ToArray();
                var tensor = empty(shape, dtype, device: CPU);
                tensor.bytes = file.AsSpan(checked(start + (int)range[0]), checked((int)(range[1] - range[0])));
                tensors[name] = tensor;
            }
            return (tensors, metadata);
        }
        catch (Exception e) when (e is ArgumentException or JsonException or InvalidOperationException or FormatException or OverflowException
            or IndexOutOfRangeException)
        {
            throw new InputException($"{path}: not a safetensors file ({e.Message})");
        }
    }
}
