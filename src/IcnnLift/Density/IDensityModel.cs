using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Density;

/// <summary>
/// A density model built on convex networks: the log-concave energy model and the convex-potential flow.
/// Its non-negative weights are <see cref="Convex.ConstrainedWeight"/>s inside <see cref="Module"/>, which a
/// <see cref="Positivity.PositiveNetwork"/> wraps; everything here reads the weights of the moment.
/// </summary>
public interface IDensityModel
{
    /// <summary>The module that holds every parameter and constrained weight of the model.</summary>
    nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>Input dimension d.</summary>
    int Dimension { get; }

    /// <summary>Mean negative log-likelihood of the rows of <paramref name="x"/> [n, d]; differentiable.</summary>
    Tensor Nll(Tensor x);

    /// <summary>log p of each row of <paramref name="x"/> [n, d].</summary>
    Tensor LogDensity(Tensor x);

    /// <summary>What training minimises: the NLL, or a loss with the same expected gradient where the NLL is too dear.</summary>
    Tensor TrainingLoss(Tensor x) => Nll(x);

    /// <summary>Re-fits what depends on the weights of the moment (an energy model's importance proposal); nothing by default.</summary>
    void Refit() { }

    /// <summary>log Z, with its Monte Carlo standard error and effective sample size where it is estimated; null for a
    /// model normalised by construction (a flow).</summary>
    NormalizerEstimate? Normalization() => null;

    /// <summary>The quadrature grid the model normalises on (an energy model in d &lt;= 2); null otherwise.</summary>
    QuadratureNormalizer? QuadratureGrid => null;

    /// <summary><paramref name="n"/> draws from the model (a flow inverts its blocks; an energy model runs Langevin chains
    /// of <paramref name="chainSteps"/> steps), with a one-line diagnostic and whether it looks converged.</summary>
    DrawnSamples Sample(int n, int chainSteps, Generator generator);
}

/// <summary>An energy model's log Z; the standard error and effective sample size are set when it is importance-sampled.</summary>
public sealed record NormalizerEstimate(double LogZ, double? StandardError, double? EffectiveSampleSize);

/// <summary>Draws [n, d], with the sampler's diagnostic and whether it looks converged.</summary>
public sealed record DrawnSamples(Tensor Samples, string Diagnostic, bool Converged);

/// <summary>Evaluation helpers on any <see cref="IDensityModel"/>.</summary>
public static class DensityModelExtensions
{
    /// <summary>log p at the rows of <paramref name="x"/>, without gradient, as doubles.</summary>
    public static double[] LogDensityValues(this IDensityModel model, Tensor x)
    {
        using var scope = NewDisposeScope();
        using (no_grad()) return model.LogDensity(x).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
    }

    /// <summary>Mean NLL without gradient, over chunks of rows so that large evaluation sets fit in memory: a flow's row
    /// holds its Jacobians through every layer (d x width x depth numbers), so 1,024 rows of a 21-D flow already take
    /// tens of megabytes, and a bigger chunk is no faster.</summary>
    public static double NllValue(this IDensityModel model, Tensor x, int chunk = 1024)
    {
        double total = 0;
        for (long start = 0; start < x.shape[0]; start += chunk)
        {
            using var scope = NewDisposeScope();
            long size = Math.Min(chunk, x.shape[0] - start);
            using (no_grad()) total += model.Nll(x.narrow(0, start, size)).ToDouble() * size;
        }
        return total / x.shape[0];
    }

    /// <summary>
    /// Noise-free comparisons with a known density by quadrature on <paramref name="grid"/>: total-variation
    /// distance 1/2 integral |p - q|, cross-entropy -integral p log q (the expected NLL under the true density), and
    /// the excess cross-entropy KL(p || q) = integral p (log p - log q): cross-entropy less the target's entropy, both
    /// on the grid, so that it is zero for a perfect fit whatever the target's own spread.
    /// With the target's <paramref name="modes"/>, also the mode coverage: the share of modes whose region (a disk
    /// around its centre) holds at least half the target's mass there under the model.
    /// </summary>
    public static DensityComparison CompareWith(this IDensityModel model, QuadratureNormalizer grid,
        Func<double[], double> trueLogDensity, ScalarType dtype, Modes? modes = null)
    {
        var logQ = model.LogDensityValues(grid.Grid(dtype));
        double tv = 0, ce = 0, kl = 0, h = grid.CellVolume;
        int count = modes?.Centres.Count ?? 0;
        var (modelMass, targetMass) = (new double[count], new double[count]);
        for (int i = 0; i < logQ.Length; i++)
        {
            double logP = trueLogDensity(grid.Points[i]), p = Math.Exp(logP), q = Math.Exp(logQ[i]);
            tv += Math.Abs(p - q) * h;
            if (modes?.RegionOf(grid.Points[i]) is int k) (modelMass[k], targetMass[k]) = (modelMass[k] + q * h, targetMass[k] + p * h);
            if (p <= 0) continue;
            ce -= p * logQ[i] * h;
            kl += p * (logP - logQ[i]) * h;
        }
        double? coverage = modes is null ? null : Enumerable.Range(0, count).Count(k => modelMass[k] >= 0.5 * targetMass[k]) / (double)count;
        return new DensityComparison(tv / 2, ce, kl, coverage);
    }
}

/// <summary>The modes of a mixture of well-separated components: their centres, and the radius of the disk around each
/// that is its region (regions must not overlap).</summary>
public sealed record Modes(IReadOnlyList<double[]> Centres, double Radius)
{
    /// <summary>The mode whose region holds <paramref name="x"/>, or null between regions.</summary>
    public int? RegionOf(double[] x)
    {
        for (int k = 0; k < Centres.Count; k++)
        {
            double distance = 0;
            for (int j = 0; j < x.Length; j++) distance += (x[j] - Centres[k][j]) * (x[j] - Centres[k][j]);
            if (distance <= Radius * Radius) return k;
        }
        return null;
    }
}

/// <summary>A fitted density against the true one (see <see cref="DensityModelExtensions.CompareWith"/>); the mode coverage
/// only for a target with modes.</summary>
public sealed record DensityComparison(double TotalVariation, double CrossEntropy, double ExcessCrossEntropy, double? ModeCoverage = null);
