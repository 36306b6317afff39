using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace IcnnLift.Data;

/// <summary>Reads a 2-D array of little-endian float64 or float32 from NumPy's .npy format (versions 1-3).</summary>
public static partial class NpyReader
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The rows of a 2-D float32 or float64 .npy file.</summary>
    public static double[][] Read(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: file not found");
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        var magic = reader.ReadBytes(6);
        if (magic.Length < 6 || !magic.AsSpan().SequenceEqual(Magic)) throw new InputException($"{path}: not a .npy file (bad magic number)");
        int major = reader.ReadByte();
        reader.ReadByte();
        int headerLength = major switch
        {
            1 => reader.ReadUInt16(),
            2 or 3 => checked((int)reader.ReadUInt32()),
            _ => throw new InputException($"{path}: unsupported .npy version {major}"),
        };
        var header = Encoding.Latin1.GetString(reader.ReadBytes(headerLength));
        var descr = Field(DescrPattern(), header, path, "descr");
        bool fortran = Field(FortranPattern(), header, path, "fortran_order") == "True";
        var shape = Field(ShapePattern(), header, path, "shape").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (shape.Length != 2) throw new InputException($"{path}: expected a 2-D array, got shape ({string.Join(", ", shape)})");
        int size = descr switch
        {
            "<f8" => 8,
            "<f4" => 4,
            ">f8" or ">f4" => throw new InputException($"{path}: big-endian dtype '{descr}' is not supported (save it little-endian)"),
            _ => throw new InputException($"{path}: unsupported dtype '{descr}' (float64 '<f8' or float32 '<f4')"),
        };
        long rows = shape[0], columns = shape[1];
        long expected = rows * columns * size;
        if (stream.Length - stream.Position < expected)
            throw new InputException($"{path}: truncated: shape ({rows}, {columns}) needs {expected} bytes of data, the file has "
                + $"{stream.Length - stream.Position}");
        var values = new double[rows * columns];
        var buffer = reader.ReadBytes(checked((int)expected));
        for (long i = 0; i < values.Length; i++)
            values[i] = size == 8 ? BitConverter.ToDouble(buffer, (int)(i * 8)) : BitConverter.ToSingle(buffer, (int)(i * 4));
        var result = new double[rows][];
        for (long r = 0; r < rows; r++)
        {
            result[r] = new double[columns];
            for (long c = 0; c < columns; c++)
                result[r][c] = fortran ? values[c * rows + r] : values[r * columns + c];
        }
        return result;
    }

    private static string Field(Regex pattern, string header, string path, string name)
    {
        var match = pattern.Match(header);
        return match.Success ? match.Groups[1].Value : throw new InputException($"{path}: the .npy header has no '{name}'");
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
