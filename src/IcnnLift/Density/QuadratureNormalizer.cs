using static TorchSharp.torch;

namespace IcnnLift.Density;

/// <summary>
/// log Z = log integral exp(-E(x)) dx by the midpoint rule on a regular grid over a box, for d = 1 and 2.
/// The model is the density restricted to that box; the box covers the data with a margin wide enough
/// (by default half the data's range on each side) that the mass outside it is negligible for an energy
/// that grows at least quadratically.
/// </summary>
public sealed class QuadratureNormalizer : ILogNormalizer
{
    private Tensor? _points;

    /// <summary>A grid of <paramref name="pointsPerDimension"/> points a dimension over the box [lower, upper].</summary>
    public QuadratureNormalizer(double[] lower, double[] upper, int pointsPerDimension)
    {
        if (lower.Length != upper.Length || lower.Length is < 1 or > 2)
            throw new ArgumentException($"quadrature works in 1-D and 2-D; got {lower.Length}-D bounds");
        if (pointsPerDimension < 2) throw new ArgumentException("the quadrature grid needs at least 2 points per dimension");
        for (int j = 0; j < lower.Length; j++)
            if (!(upper[j] > lower[j])) throw new ArgumentException($"quadrature box is empty along dimension {j}");
        Lower = lower;
        Upper = upper;
        PointsPerDimension = pointsPerDimension;
        var axes = Enumerable.Range(0, lower.Length)
            .Select(j => Enumerable.Range(0, pointsPerDimension).Select(i => lower[j] + (i + 0.5) * CellWidth(j)).ToArray())
            .ToArray();
        Axes = axes;
        CellVolume = Enumerable.Range(0, lower.Length).Aggregate(1.0, (v, j) => v * CellWidth(j));
        Points = lower.Length == 1
            ? axes[0].Select(v => new[] { v }).ToArray()
            : axes[1].SelectMany(y => axes[0].Select(x => new[] { x, y })).ToArray(); // x varies fastest
    }

    /// <summary>Lower corner of the box.</summary>
    public double[] Lower { get; }
    /// <summary>Upper corner of the box.</summary>
    public double[] Upper { get; }
    /// <summary>Grid points a dimension.</summary>
    public int PointsPerDimension { get; }
    /// <inheritdoc/>
    public int Dimension => Lower.Length;
    /// <summary>Volume of one grid cell.</summary>
    public double CellVolume { get; }

    /// <summary>Cell centres along each axis.</summary>
    public double[][] Axes { get; }

    /// <summary>Cell centres, x fastest.</summary>
    public double[][] Points { get; }

    private double CellWidth(int j) => (Upper[j] - Lower[j]) / PointsPerDimension;

    /// <summary>A box covering <paramref name="data"/> [n, d] widened by <paramref name="margin"/> times its range on each side.</summary>
    public static QuadratureNormalizer Covering(Tensor data, double margin = 0.5, int? pointsPerDimension = null)
    {
        int d = (int)data.shape[1];
        var lo = data.amin([0]).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        var hi = data.amax([0]).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        for (int j = 0; j < d; j++)
        {
            double range = Math.Max(hi[j] - lo[j], 1e-3);
            lo[j] -= margin * range;
            hi[j] += margin * range;
        }
        return new QuadratureNormalizer(lo, hi, pointsPerDimension ?? DefaultPoints(d));
    }

    /// <summary>Points a dimension when not given: 512 in 1-D, 64 in 2-D.</summary>
    public static int DefaultPoints(int dimension) => dimension == 1 ? 512 : 64;

    /// <summary>The grid as a tensor [M, d].</summary>
    public Tensor Grid(ScalarType dtype) => tensor(Points.SelectMany(p => p).ToArray(), [Points.Length, Dimension], dtype);

    Tensor ILogNormalizer.Points => _points ?? throw new InvalidOperationException("call Use(dtype) before evaluating");

    /// <summary>Makes the grid tensor this normaliser evaluates in <paramref name="dtype"/>; it lives as long as the normaliser.</summary>
    public QuadratureNormalizer Use(ScalarType dtype)
    {
        _points ??= Grid(dtype).DetachFromDisposeScope();
        return this;
    }

    /// <summary>log Z from the energies on the grid [M] (differentiable).</summary>
    public Tensor LogZ(Tensor gridEnergy) => gridEnergy.neg().logsumexp(0).add(Math.Log(CellVolume));
}
