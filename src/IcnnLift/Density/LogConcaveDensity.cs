using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Density;

/// <summary>
/// p(x) = exp(-E(x)) / Z with E convex, so p is log-concave; trained by maximum likelihood,
/// NLL = mean E(x) + log Z, with log Z by quadrature (d &lt;= 2).
/// </summary>
public sealed class LogConcaveDensity
{
    private readonly Tensor _grid;

    public LogConcaveDensity(QuadratureNormalizer normalizer, ScalarType dtype)
    {
        Normalizer = normalizer;
        _grid = normalizer.Grid(dtype).DetachFromDisposeScope(); // lives as long as the model
    }

    public QuadratureNormalizer Normalizer { get; }

    /// <summary>Mean negative log-likelihood of <paramref name="x"/> [n, d]: one energy pass over the data and the grid together.</summary>
    public Tensor Nll(Func<Tensor, Tensor> energy, Tensor x)
    {
        var e = energy(cat([x, _grid]));
        return e.narrow(0, 0, x.shape[0]).mean().add(Normalizer.LogZ(e.narrow(0, x.shape[0], _grid.shape[0])));
    }

    public double LogZ(Func<Tensor, Tensor> energy)
    {
        using var scope = NewDisposeScope();
        using (no_grad()) return Normalizer.LogZ(energy(_grid)).ToDouble();
    }

    /// <summary>log p on the grid's points, as doubles.</summary>
    public double[] LogDensityOnGrid(Func<Tensor, Tensor> energy)
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var e = energy(_grid);
            return e.neg().sub(Normalizer.LogZ(e)).to_type(ScalarType.Float64).data<double>().ToArray();
        }
    }

    /// <summary>log p(x) for the rows of <paramref name="x"/>, as doubles.</summary>
    public double[] LogDensity(Func<Tensor, Tensor> energy, Tensor x)
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var logZ = Normalizer.LogZ(energy(_grid));
            return energy(x).neg().sub(logZ).to_type(ScalarType.Float64).data<double>().ToArray();
        }
    }

    /// <summary>
    /// Noise-free comparisons with a known density on the quadrature grid: total-variation distance
    /// 1/2 integral |p - q| and cross-entropy -integral p log q (the expected NLL under the true density).
    /// </summary>
    public (double TotalVariation, double CrossEntropy) CompareWith(Func<Tensor, Tensor> energy, Func<double[], double> trueLogDensity)
    {
        var logQ = LogDensityOnGrid(energy);
        double tv = 0, ce = 0, h = Normalizer.CellVolume;
        for (int i = 0; i < logQ.Length; i++)
        {
            double p = Math.Exp(trueLogDensity(Normalizer.Points[i]));
            tv += Math.Abs(p - Math.Exp(logQ[i])) * h;
            if (p > 0) ce -= p * logQ[i] * h;
        }
        return (tv / 2, ce);
    }
}
