using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Diagnostics;

/// <summary>
/// The softplus shoulder: coordinates whose readout slope psi'(t) = sigmoid(t) is below sigma_s, where
/// the gradient reaching t is attenuated by more than that factor.
/// </summary>
public static class Shoulder
{
    /// <summary>The default shoulder level sigma_s.</summary>
    public const double DefaultSigma = 0.05;

    /// <summary>The pre-readout level below which a coordinate is in the shoulder: logit(sigma_s).</summary>
    public static double Threshold(double sigma) =>
        sigma is > 0 and < 1 ? Math.Log(sigma / (1 - sigma)) : throw new ArgumentException($"the shoulder level must be in (0, 1), got {sigma}");

    /// <summary>Fraction of coordinates of <paramref name="preReadout"/> in the shoulder.</summary>
    public static double Occupancy(Tensor preReadout, double sigma = DefaultSigma)
    {
        using (no_grad()) return preReadout.lt(Threshold(sigma)).to_type(ScalarType.Float64).mean().ToDouble();
    }
}
