using IcnnLift.Convex;
using IcnnLift.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Density;

/// <summary>
/// log Z by importance sampling for d &gt; 2. The proposal is a defensive mixture of two Gaussians, each
/// widened by <see cref="Spread"/>^2 in covariance: the Laplace approximation of the density (mean at the
/// minimiser of the convex energy, found by Newton's method; covariance the inverse Hessian there), and,
/// when given, the Gaussian fitted to the training data (where a fitted model puts its mass even when its
/// curvature at the mode says otherwise). log Z = logsumexp(-E(z_i) - log q(z_i)) - log M over M draws, whose
/// gradient is the self-normalised one. <see cref="Fit"/> re-centres the Laplace part and redraws.
/// </summary>
public sealed class ImportanceSamplingNormalizer : ILogNormalizer
{
    private readonly Generator _generator;
    private readonly ScalarType _dtype;
    private Tensor? _points;
    private Tensor? _logProposal;
    private (Tensor Mean, Tensor Factor)? _data;

    /// <summary>A normaliser in <paramref name="dimension"/> dimensions drawing <paramref name="samples"/> points from a proposal widened by
    /// <paramref name="widen"/>.</summary>
    public ImportanceSamplingNormalizer(int dimension, int samples, double widen, ulong seed, ScalarType dtype)
    {
        if (samples < 2) throw new ArgumentException($"importance sampling needs at least 2 samples, got {samples}");
        if (!(widen >= 1) || double.IsInfinity(widen)) throw new ArgumentException($"the proposal's widening must be at least 1, got {widen}");
        Dimension = dimension;
        Samples = samples;
        Widen = widen;
        _generator = TorchRuntime.NewGenerator(seed);
        _dtype = dtype;
    }

    /// <inheritdoc/>
    public int Dimension { get; }
    /// <summary>Draws from the proposal.</summary>
    public int Samples { get; }
    /// <summary>Widening of the proposal (see <see cref="Spread"/>).</summary>
    public double Widen { get; }

    /// <summary>
    /// The standard deviations' factor in d dimensions: 1 + (widen - 1)/sqrt(d). Widening every axis by s costs a
    /// factor (s^2/sqrt(2s^2 - 1))^d, about exp(2 d (s - 1)^2), in the second moment of the weights even for a
    /// Gaussian target, so a fixed s that is a safe margin in 2-D (1.5: 2,048 draws keep ~70% effective) leaves
    /// ~5 effective draws of 2,048 in 32-D. Shrinking s - 1 with 1/sqrt(d) keeps that cost the same at every d.
    /// </summary>
    public double Spread => 1 + (Widen - 1) / Math.Sqrt(Dimension);

    /// <inheritdoc/>
    public Tensor Points => _points ?? throw new InvalidOperationException("call Fit before evaluating");

    /// <summary>Adds the Gaussian fitted to <paramref name="data"/> [n, d] to the proposal mixture.</summary>
    public void UseDataComponent(Tensor data)
    {
        using var scope = NewDisposeScope();
        var (mean, covariance) = InputConvexNetwork.Moments(data);
        UseDataComponent(mean, covariance);
    }

    /// <summary>Adds the Gaussian with this <paramref name="mean"/> and <paramref name="covariance"/> (widened) to the proposal mixture.</summary>
    public void UseDataComponent(Tensor mean, Tensor covariance)
    {
        using var scope = NewDisposeScope();
        _data = (mean.to_type(ScalarType.Float64).DetachFromDisposeScope(),
            linalg.cholesky(covariance.to_type(ScalarType.Float64) * (Spread * Spread)).DetachFromDisposeScope());
    }

    /// <summary>Laplace approximation of exp(-E) with the weights <paramref name="energy"/> reads now; fresh draws.</summary>
    public void Fit(InputConvexNetwork energy)
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var (mode, _) = ConvexSolver.SolveGradient(energy, zeros(1, Dimension, dtype: _dtype));
            var hessian = energy.Derivatives(mode).Hessian[0].to_type(ScalarType.Float64);
            var covariance = linalg.inv(hessian).mul(Spread * Spread);
            var components = new List<(Tensor Mean, Tensor Factor)> { (mode.to_type(ScalarType.Float64).squeeze(0),
                linalg.cholesky((covariance + covariance.T) / 2)) };
            if (_data is { } data) components.Add(data);
            // Equal shares of the draws from each component; q is the equal-weight mixture.
            var points = cat(components.Select((c, k) =>
            {
                long count = Samples / components.Count + (k < Samples % components.Count ? 1 : 0);
                return c.Mean + randn([count, Dimension], ScalarType.Float64, generator: _generator).matmul(c.Factor.T);
            }).ToArray());
            var logProposal = stack(components.Select(c => GaussianLogDensity(points, c.Mean, c.Factor)).ToArray()).logsumexp(0)
                .sub(Math.Log(components.Count));
            _points?.Dispose();
            _logProposal?.Dispose();
            _points = points.to_type(_dtype).DetachFromDisposeScope();
            _logProposal = logProposal.to_type(_dtype).DetachFromDisposeScope();
        }
    }

    private static Tensor GaussianLogDensity(Tensor x, Tensor mean, Tensor factor)
    {
        var whitened = linalg.solve(factor, (x - mean).T);
        return whitened.square().sum(0L).mul(-0.5).sub(0.5 * mean.shape[0] * Math.Log(2 * Math.PI) + factor.diagonal().log().sum().ToDouble());
    }

    /// <inheritdoc/>
    public Tensor LogZ(Tensor energies) => energies.neg().sub(_logProposal!).logsumexp(0).sub(Math.Log(Samples));

    /// <summary>
    /// The estimate with its Monte Carlo standard error (delta method: the standard error of the mean weight
    /// over the mean weight) and the effective sample size (sum w)^2 / sum w^2.
    /// </summary>
    public (double LogZ, double StandardError, double EffectiveSampleSize) Estimate(Tensor energies)
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var logW = energies.neg().sub(_logProposal!).to_type(ScalarType.Float64);
            var w = logW.sub(logW.max()).exp();
            double mean = w.mean().ToDouble(), sd = w.std().ToDouble();
            double ess = Math.Pow(w.sum().ToDouble(), 2) / w.square().sum().ToDouble();
            return (logW.logsumexp(0).ToDouble() - Math.Log(Samples), sd / Math.Sqrt(Samples) / mean, ess);
        }
    }
}
