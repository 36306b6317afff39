using IcnnLift.Density;
using Xunit;

namespace IcnnLift.Tests.Density;

public class GaussianDensityTests
{
    [Fact]
    public void Nll_of_a_fitted_gaussian_matches_the_closed_form()
    {
        // Fitted to its own samples, the mean NLL of a Gaussian is (d/2)(1 + log 2 pi) + (1/2) log det Sigma_hat.
        var rng = new Random(1);
        var rows = Enumerable.Range(0, 4000).Select(_ =>
        {
            double a = MathNet.Numerics.Distributions.Normal.Sample(rng, 0, 1), b = MathNet.Numerics.Distributions.Normal.Sample(rng, 0, 1);
            return new[] { 2 * a + 1, 0.5 * a + 0.3 * b - 2 };
        }).ToArray();
        var fitted = new GaussianDensity(rows);
        double logDetTrue = Math.Log(4 * 0.09); // [[4, 1], [1, 0.34]]: det = 4 * 0.34 - 1 = 0.36
        double expected = 0.5 * 2 * (1 + Math.Log(2 * Math.PI)) + 0.5 * logDetTrue;
        Assert.Equal(expected, fitted.Nll(rows), 0.05);
    }
}
