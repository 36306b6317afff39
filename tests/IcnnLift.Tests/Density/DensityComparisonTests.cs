using IcnnLift.Density;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Density;

/// <summary>The noise-free metrics of the 1-D and 2-D benchmarks (total variation, cross-entropy) against closed forms.</summary>
public class DensityComparisonTests
{
    // Model N(0, I), truth N(e1, I): the densities differ along one axis only, so TV = 2 Phi(1/2) - 1 in any dimension,
    // and the cross-entropy -E_p[log q] = (d/2) log(2 pi) + (|mu|^2 + d) / 2.
    private const double TotalVariation = 0.38292492254802624; // 2 Phi(0.5) - 1 (Phi(0.5) = 0.69146246127401312)

    [Theory]
    [InlineData(1, 1.9189385332046727)] // log(2 pi)/2 + 1
    [InlineData(2, 3.3378770664093453)] // log(2 pi) + 3/2
    public void Total_variation_and_cross_entropy_of_shifted_gaussians_match_their_closed_forms(int d, double crossEntropy)
    {
        var grid = d == 1 ? new QuadratureNormalizer([-12.0], [13.0], 4000) : new QuadratureNormalizer([-9.0, -9.0], [10.0, 9.0], 400);
        grid.Use(ScalarType.Float64);
        var model = new LogConcaveDensity(TestNetworks.Quadratic(d, alpha: 1.0), grid);
        double TrueLogDensity(double[] x) => -0.5 * d * Math.Log(2 * Math.PI) - 0.5 * ((x[0] - 1) * (x[0] - 1) + x.Skip(1).Sum(v => v * v));

        var (tv, ce, kl) = model.CompareWith(grid, TrueLogDensity, ScalarType.Float64);
        // |p - q| has a kink where the densities cross; the grid's error there is of order 1e-5.
        Assert.Equal(TotalVariation, tv, 1e-4);
        Assert.Equal(crossEntropy, ce, 1e-5);
        Assert.Equal(0.5, kl, 1e-5); // KL(N(e1, I) || N(0, I)) = |e1|^2 / 2
    }
}
