using IcnnLift.Convex;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Density;

/// <summary>
/// p(x) = exp(-E(x)) / Z with E an input-convex network, so p is log-concave; trained by maximum likelihood,
/// NLL = mean E(x) + log Z, with log Z by quadrature (d &lt;= 2) or importance sampling (any d).
/// </summary>
public sealed class LogConcaveDensity : IDensityModel
{
    /// <summary>The density exp(-E(x)) / Z of <paramref name="energy"/>, Z from <paramref name="normalizer"/>.</summary>
    public LogConcaveDensity(InputConvexNetwork energy, ILogNormalizer normalizer)
    {
        if (normalizer.Dimension != energy.Spec.Dimension)
            throw new ArgumentException($"the normaliser is {normalizer.Dimension}-D but the energy takes {energy.Spec.Dimension}-D inputs");
        Energy = energy;
        Normalizer = normalizer;
        Refit();
    }

    /// <summary>The convex energy E.</summary>
    public InputConvexNetwork Energy { get; }

    /// <summary>How log Z is computed.</summary>
    public ILogNormalizer Normalizer { get; }

    /// <inheritdoc/>
    public nn.Module<Tensor, Tensor> Module => Energy;

    /// <inheritdoc/>
    public int Dimension => Energy.Spec.Dimension;

    /// <summary>Re-centres an importance-sampling proposal on the weights the energy reads now (quadrature: nothing to do).</summary>
    public void Refit()
    {
        if (Normalizer is ImportanceSamplingNormalizer sampler) sampler.Fit(Energy);
    }

    /// <summary>Energies of x and of the normaliser's points from one pass; log Z.</summary>
    private (Tensor Energies, Tensor LogZ) Evaluate(Tensor x)
    {
        var points = Normalizer.Points;
        var e = Energy.forward(cat([x, points]));
        return (e.narrow(0, 0, x.shape[0]), Normalizer.LogZ(e.narrow(0, x.shape[0], points.shape[0])));
    }

    /// <inheritdoc/>
    public Tensor Nll(Tensor x)
    {
        var (e, logZ) = Evaluate(x);
        return e.mean().add(logZ);
    }

    /// <summary>
    /// The NLL; with importance sampling, the proposal is first refitted to the weights of this step and
    /// redrawn, so that training cannot lower the energy where a fixed set of draws does not look (which
    /// drives the estimated log Z, and the NLL, towards minus infinity).
    /// </summary>
    public Tensor TrainingLoss(Tensor x)
    {
        Refit();
        return Nll(x);
    }

    /// <inheritdoc/>
    public Tensor LogDensity(Tensor x)
    {
        var (e, logZ) = Evaluate(x);
        return e.neg().sub(logZ);
    }

    /// <summary>log Z as the normaliser computes it now.</summary>
    public double LogZ()
    {
        using var scope = NewDisposeScope();
        using (no_grad()) return Normalizer.LogZ(Energy.forward(Normalizer.Points)).ToDouble();
    }

    /// <inheritdoc/>
    public NormalizerEstimate Normalization()
    {
        double logZ = LogZ();
        if (Normalizer is not ImportanceSamplingNormalizer sampler) return new NormalizerEstimate(logZ, null, null);
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var (_, se, ess) = sampler.Estimate(Energy.forward(sampler.Points));
            return new NormalizerEstimate(logZ, se, ess);
        }
    }

    NormalizerEstimate? IDensityModel.Normalization() => Normalization();

    /// <inheritdoc/>
    public QuadratureNormalizer? QuadratureGrid => Normalizer as QuadratureNormalizer;

    /// <summary>Metropolis-adjusted Langevin chains from the Laplace approximation (<see cref="Mala"/>).</summary>
    public DrawnSamples Sample(int n, int chainSteps, Generator generator)
    {
        var (samples, acceptance, stepSize) = Mala.Sample(Energy, n, chainSteps, generator);
        return new DrawnSamples(samples, $"MALA acceptance rate {acceptance:P1} (step size {stepSize:G3})", acceptance is > 0.2 and < 0.95);
    }
}
