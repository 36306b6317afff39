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

        var (tv, ce, kl, _) = model.CompareWith(grid, TrueLogDensity, ScalarType.Float64);
        // |p - q| has a kink where the densities cross; the grid's error there is of order 1e-5.
        Assert.Equal(TotalVariation, tv, 1e-4);
        Assert.Equal(crossEntropy, ce, 1e-5);
        Assert.Equal(0.5, kl, 1e-5); // KL(N(e1, I) || N(0, I)) = |e1|^2 / 2
    }

    /// <summary>Model N(0, I) in 2-D against the truth N(0, I) moved to x = 3 (its density alone decides the regions' target
    /// mass). Regions of radius 1 at x = 0 and x = 3: under the model the first holds 1 - e^(-1/2) = 0.39 of the mass, under the
    /// target about 0.004, so it is covered; the second the other way round, so it is not: 1 of 2.</summary>
    [Theory]
    [InlineData(new[] { 0.0, 3.0 }, 0.5)]
    [InlineData(new[] { 0.0 }, 1.0)]
    [InlineData(new[] { 3.0 }, 0.0)]
    [InlineData(new[] { 1.5 }, 1.0)] // halfway, the two masses in the disk are equal
    public void Mode_coverage_counts_the_modes_whose_region_holds_half_the_targets_mass_there(double[] positions, double coverage)
    {
        var grid = new QuadratureNormalizer([-9.0, -9.0], [12.0, 9.0], 300);
        grid.Use(ScalarType.Float64);
        var model = new LogConcaveDensity(TestNetworks.Quadratic(2, alpha: 1.0), grid);
        var modes = new Modes([.. positions.Select(p => new[] { p, 0.0 })], Radius: 1);
        var comparison = model.CompareWith(grid, x => -Math.Log(2 * Math.PI) - 0.5 * ((x[0] - 3) * (x[0] - 3) + x[1] * x[1]), ScalarType.Float64, modes);
        Assert.Equal(coverage, comparison.ModeCoverage);
        Assert.Null(model.CompareWith(grid, x => 0, ScalarType.Float64).ModeCoverage);
    }

    [Fact]
    public void Eight_gaussians_has_eight_separate_regions_on_the_circle_and_other_targets_none()
    {
        var modes = IcnnLift.Targets.Target.Get("8gaussians").Modes!;
        Assert.Equal(8, modes.Centres.Count);
        Assert.All(modes.Centres, m => Assert.Equal(4 / 1.414, Math.Sqrt(m[0] * m[0] + m[1] * m[1]), 1e-12));
        Assert.Equal(Enumerable.Range(0, 8), modes.Centres.Select(m => modes.RegionOf(m)!.Value));
        Assert.Null(modes.RegionOf([0.0, 0.0]));
        Assert.Null(IcnnLift.Targets.Target.Get("2spirals").Modes);
    }
}
