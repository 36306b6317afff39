using IcnnLift.Convex;
using IcnnLift.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Density;

/// <summary>The classical baseline: a full-covariance Gaussian fitted by maximum likelihood (a ridge of
/// 1e-6 times the mean variance keeps the covariance invertible).</summary>
public sealed class GaussianDensity
{
    private readonly Tensor _mean;
    private readonly Tensor _precision;
    private readonly double _logDet;

    /// <summary>The Gaussian with the samples' mean and covariance.</summary>
    public GaussianDensity(double[][] samples)
    {
        using var scope = NewDisposeScope();
        var (mean, covariance) = InputConvexNetwork.Moments(Rows.ToTensor(samples, ScalarType.Float64));
        _mean = mean.DetachFromDisposeScope();
        _precision = linalg.inv(covariance).DetachFromDisposeScope();
        _logDet = linalg.cholesky(covariance).diagonal().log().sum().ToDouble() * 2;
    }

    /// <inheritdoc/>
    public int Dimension => (int)_mean.shape[0];

    /// <summary>Mean negative log-likelihood of <paramref name="samples"/>.</summary>
    public double Nll(double[][] samples)
    {
        using var scope = NewDisposeScope();
        var centred = Rows.ToTensor(samples, ScalarType.Float64) - _mean;
        double quadratic = centred.matmul(_precision).mul(centred).sum(-1).mean().ToDouble();
        return (quadratic + _logDet + Dimension * Math.Log(2 * Math.PI)) / 2;
    }
}
