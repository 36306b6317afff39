using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcnnLift.Positivity;

/// <summary>Direct softplus reparametrisation: weights = softplus(t), t trained.</summary>
public sealed class SoftplusReparam : SoftplusReadout
{
    private readonly Parameter _t;

    /// <summary>Direct softplus over weights of <paramref name="shapes"/> starting at <paramref name="initialWeights"/>.</summary>
    public SoftplusReparam(IReadOnlyList<long[]> shapes, Tensor initialWeights) : base("softplus", shapes)
    {
        _t = new Parameter(InverseSoftplus(initialWeights.detach()));
        register_parameter("t", _t);
    }

    /// <inheritdoc/>
    public override Tensor PreReadout(Tensor batch) => _t;
}

/// <summary>
/// Ablation: softplus(a + b), both trained. The lift with a body that does not see the batch: a plays
/// h_phi and starts at zero, b starts at the direct method's t.
/// </summary>
public sealed class SoftplusBiasReparam : SoftplusReadout
{
    private readonly Parameter _a;
    private readonly Parameter _b;

    /// <summary>softplus(t + b) over weights of <paramref name="shapes"/> starting at <paramref name="initialWeights"/>.</summary>
    public SoftplusBiasReparam(IReadOnlyList<long[]> shapes, Tensor initialWeights) : base("softplus-bias", shapes)
    {
        var t0 = InverseSoftplus(initialWeights.detach());
        _a = new Parameter(zeros_like(t0));
        _b = new Parameter(t0);
        register_parameter("a", _a);
        register_parameter("b", _b);
    }

    /// <inheritdoc/>
    public override Tensor PreReadout(Tensor batch) => _a + _b;

    /// <inheritdoc/>
    public override Tensor? Body(Tensor batch) => _a;

    /// <inheritdoc/>
    public override Parameter? Slack => _b;
}
