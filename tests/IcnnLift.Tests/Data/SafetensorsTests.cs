using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using IcnnLift.Data;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Data;

/// <summary>The safetensors container: the layout the format specifies (read here byte by byte, not through the reader under
/// test), a round trip, and a file that is not one.</summary>
public class SafetensorsTests : TempFolderTest
{
    [Fact]
    public void The_file_is_a_header_length_a_padded_json_header_and_the_tensors_bytes_in_order()
    {
        var path = Path.Combine(Folder, "m.safetensors");
        var (a, b) = (tensor(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } }), tensor(new[] { 0.25, -1.5 }));
        Safetensors.Write(path, [("a", a), ("b.x", b)], new Dictionary<string, string> { ["task"] = "flow" });

        var file = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0, length % 8);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(file, 8, length))!.AsObject();
        Assert.Equal("flow", (string)header["__metadata__"]!["task"]!); // 145 bytes of JSON: 7 spaces pad it
        Assert.Equal("F32", (string)header["a"]!["dtype"]!);
        Assert.Equal("[2,3]", header["a"]!["shape"]!.ToJsonString());
        Assert.Equal("[0,24]", header["a"]!["data_offsets"]!.ToJsonString());
        Assert.Equal("[24,40]", header["b.x"]!["data_offsets"]!.ToJsonString());
        var data = file.AsSpan(8 + length);
        Assert.Equal(6f, BinaryPrimitives.ReadSingleLittleEndian(data[20..]));
        Assert.Equal(-1.5, BinaryPrimitives.ReadDoubleLittleEndian(data[32..]));

        var (tensors, metadata) = Safetensors.Read(path);
        Assert.True(tensors["a"].allclose(a, rtol: 0, atol: 0));
        Assert.True(tensors["b.x"].allclose(b, rtol: 0, atol: 0));
        Assert.Equal("flow", metadata["task"]);
    }

    [Theory]
    [InlineData("keep me")]
    [InlineData("\u0040\0\0\0\0\0\0\0{\"a\": 1}")]
    public void A_file_that_is_not_safetensors_is_bad_input_named(string text)
    {
        var path = Path.Combine(Folder, "bad.safetensors");
        File.WriteAllText(path, text);
        var error = Assert.Throws<InputException>(() => Safetensors.Read(path));
        Assert.StartsWith($"{path}: not a safetensors file", error.Message);
    }
}
