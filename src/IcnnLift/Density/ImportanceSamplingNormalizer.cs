using IcnnLift.Convex;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Density;

/// <summary>
/// log Z by importance sampling for d &gt; 2: a Gaussian proposal at the Laplace approximation of the
/// density (mean at the minimiser of the convex energy, found by Newton's method; covariance the inverse
/// Hessian there, widened by <see cref="Widen"/>^2 for safety in the tails). log Z = logsumexp(-E(z_i) -
/// log q(z_i)) - log M over M fixed draws, whose gradient is the self-normalised one. <see cref="Fit"/>
/// re-centres the proposal and redraws (the trainer does so at every evaluation).
/// </summary>
public sealed class ImportanceSamplingNormalizer : ILogNormalizer
{
    private readonly Generator _generator;
    private readonly ScalarType _dtype;
    private Tensor? _points;
    private Tensor? _logProposal;

    public ImportanceSamplingNormalizer(int dimension, int samples, double widen, ulong seed, ScalarType dtype)
    {
        if (samples < 2) throw new ArgumentException($"importance sampling needs at least 2 samples, got {samples}");
        if (!(widen >= 1) || double.IsInfinity(widen)) throw new ArgumentException($"the proposal's widening must be at least 1, got {widen}");
        Dimension = dimension;
        Samples = samples;
        Widen = widen;
        _generator = new Generator(seed);
        _dtype = dtype;
    }

    public int Dimension { get; }
    public int Samples { get; }
    public double Widen { get; }

    /// <summary>The largest gradient residual of the last mode search.</summary>
    public double ModeResidual { get; private set; }

    public Tensor Points => _points ?? throw new InvalidOperationException("call Fit before evaluating");

    /// <summary>Laplace approximation of exp(-E) with the weights <paramref name="energy"/> reads now; fresh draws.</summary>
    public void Fit(InputConvexNetwork energy)
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var (mode, residual) = ConvexSolver.SolveGradient(energy, zeros(1, Dimension, dtype: _dtype));
            ModeResidual = residual;
            var hessian = energy.Derivatives(mode).Hessian[0].to_type(ScalarType.Float64);
            var covariance = linalg.inv(hessian).mul(Widen * Widen);
            var factor = linalg.cholesky((covariance + covariance.T) / 2);
            var eps = randn([Samples, Dimension], ScalarType.Float64, generator: _generator);
            var points = mode.to_type(ScalarType.Float64) + eps.matmul(factor.T);
            var logProposal = eps.square().sum(-1).mul(-0.5)
                .sub(0.5 * Dimension * Math.Log(2 * Math.PI) + factor.diagonal().log().sum().ToDouble());
            _points?.Dispose();
            _logProposal?.Dispose();
            _points = points.to_type(_dtype).DetachFromDisposeScope();
            _logProposal = logProposal.to_type(_dtype).DetachFromDisposeScope();
        }
    }

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
