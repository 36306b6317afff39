using IcnnLift.Convex;
using IcnnLift.Density;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Density;

public class MalaTests
{
    [Fact]
    public void Samples_a_gaussian_energy_with_its_known_moments()
    {
        const int d = 3;
        const double alpha = 0.7;
        var net = TestNetworks.Quadratic(d, alpha, depth: 2);
        var (samples, acceptance, _) = Mala.Sample(net, 4000, 200, new Generator(2));
        Assert.InRange(acceptance, 0.4, 0.8);
        for (int j = 0; j < d; j++)
        {
            Assert.InRange(samples[.., j].mean().ToDouble(), -5 * Math.Sqrt(1 / alpha / 4000), 5 * Math.Sqrt(1 / alpha / 4000));
            Assert.InRange(samples[.., j].var().ToDouble() * alpha, 0.92, 1.08);
        }
    }

    [Fact]
    public void Samples_a_skewed_1d_energy_with_the_moments_quadrature_gives()
    {
        var g = new Generator(5);
        var net = new InputConvexNetwork(new IcnnSpec(1, Width: 16, Depth: 3, Alpha: 0.1), g, ScalarType.Float64);
        using (no_grad()) foreach (var p in net.parameters()) p.add_(randn(p.shape, ScalarType.Float64, generator: g) * 0.5);
        var grid = new QuadratureNormalizer([-40.0], [40.0], 20_000);
        var p0 = new LogConcaveDensity(net, grid.Use(ScalarType.Float64)).LogDensityValues(grid.Grid(ScalarType.Float64)).Select(Math.Exp).ToArray();
        double mean = grid.Points.Select((x, i) => x[0] * p0[i]).Sum() * grid.CellVolume;
        double variance = grid.Points.Select((x, i) => (x[0] - mean) * (x[0] - mean) * p0[i]).Sum() * grid.CellVolume;
        var (samples, acceptance, _) = Mala.Sample(net, 4000, 300, new Generator(6));
        Assert.InRange(acceptance, 0.3, 0.9);
        Assert.InRange(samples.mean().ToDouble(), mean - 5 * Math.Sqrt(variance / 4000), mean + 5 * Math.Sqrt(variance / 4000));
        Assert.InRange(samples.var().ToDouble() / variance, 0.9, 1.1);
    }
}
