using static TorchSharp.torch;

namespace IcnnLift.Data;

/// <summary>Samples as the library keeps them (one row a sample) and as libtorch takes them.</summary>
public static class Rows
{
    /// <summary>[n][d] rows as an [n, d] tensor of <paramref name="dtype"/> (built in float64, then converted).</summary>
    public static Tensor ToTensor(double[][] rows, ScalarType dtype) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length], ScalarType.Float64).to_type(dtype);
}
