using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcnnLift.Positivity;

/// <summary>PGD: the raw weights are trained and clamped at zero after every step.</summary>
public sealed class ProjectedGradient : PositivityStrategy
{
    private readonly Parameter _weights;

    /// <summary>PGD over weights of <paramref name="shapes"/> starting at <paramref name="initialWeights"/>.</summary>
    public ProjectedGradient(IReadOnlyList<long[]> shapes, Tensor initialWeights) : base("pgd", shapes)
    {
        _weights = new Parameter(initialWeights.detach().clone());
        register_parameter("weights", _weights);
    }

    /// <inheritdoc/>
    public override (Tensor Weights, Tensor? PreReadout) Make(Tensor batch) => (_weights, null);

    /// <summary>Clamps every weight at zero.</summary>
    public override void AfterStep()
    {
        using (no_grad()) _weights.clamp_min_(0);
    }
}
