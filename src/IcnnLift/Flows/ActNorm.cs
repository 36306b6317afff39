using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcnnLift.Flows;

/// <summary>
/// Activation normalisation (Kingma and Dhariwal 2018): y = (x - loc) exp(-logScale) per coordinate, an
/// invertible affine map with log|det| = -sum(logScale), initialised so that the data it first sees come out
/// with zero mean and unit variance.
/// </summary>
public sealed class ActNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _loc;
    private readonly Parameter _logScale;

    /// <summary>An identity normalisation in <paramref name="dimension"/> dimensions, until <see cref="InitializeFrom"/>.</summary>
    public ActNorm(int dimension, ScalarType dtype) : base("actnorm")
    {
        _loc = new Parameter(zeros(dimension, dtype));
        _logScale = new Parameter(zeros(dimension, dtype));
        register_parameter("loc", _loc);
        register_parameter("log_scale", _logScale);
    }

    /// <summary>Sets loc and scale to the mean and standard deviation of <paramref name="x"/> [n, d].</summary>
    public void InitializeFrom(Tensor x)
    {
        using (no_grad())
        {
            _loc.copy_(x.mean([0]));
            _logScale.copy_(x.std(0).clamp_min(1e-6).log());
        }
    }

    /// <summary>loc and logScale, as the portable format names them (actnorm_loc, actnorm_log_scale).</summary>
    public IReadOnlyList<(string Name, Tensor Value)> Portable() => [("actnorm_loc", _loc.detach().clone()), ("actnorm_log_scale", _logScale.detach().clone())];

    /// <summary>y = (x - loc) exp(-logScale).</summary>
    public override Tensor forward(Tensor x) => x.sub(_loc).mul(_logScale.neg().exp());

    /// <summary>log|det dy/dx|, the same for every sample.</summary>
    public Tensor LogDet => _logScale.sum().neg();

    /// <summary>x = y exp(logScale) + loc.</summary>
    public Tensor Inverse(Tensor y) => y.mul(_logScale.exp()).add(_loc);
}
