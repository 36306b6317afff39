using IcnnLift.Density;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Density;

public class QuadratureNormalizerTests
{
    [Fact]
    public void LogZ_of_a_1d_quadratic_energy_matches_the_gaussian_integral()
    {
        // E(x) = (x - 1)^2 / (2 s^2) + 3: Z = sqrt(2 pi) s e^-3.
        double s = 0.7;
        var q = new QuadratureNormalizer([-8.0], [10.0], 2000);
        var x = q.Grid(ScalarType.Float64);
        double logZ = q.LogZ((x[.., 0] - 1).square() / (2 * s * s) + 3).ToDouble();
        Assert.Equal(0.5 * Math.Log(2 * Math.PI) + Math.Log(s) - 3, logZ, 1e-6);
    }

    [Fact]
    public void LogZ_of_a_2d_quadratic_energy_matches_the_gaussian_integral()
    {
        // E(x) = x^T A x / 2 with A = [[2, 0.6], [0.6, 1]]: Z = 2 pi / sqrt(det A).
        var q = new QuadratureNormalizer([-9.0, -9.0], [9.0, 9.0], 300);
        var x = q.Grid(ScalarType.Float64);
        var a = tensor(new[] { 2.0, 0.6, 0.6, 1.0 }, [2, 2], ScalarType.Float64);
        var energy = (x.matmul(a) * x).sum(-1) / 2;
        Assert.Equal(Math.Log(2 * Math.PI) - 0.5 * Math.Log(2.0 - 0.36), q.LogZ(energy).ToDouble(), 1e-6);
    }

    [Fact]
    public void The_covering_box_widens_the_data_range_by_the_margin()
    {
        var data = tensor(new[] { 0.0, 10.0, 2.0, -1.0, 4.0, 3.0 }, [3, 2], ScalarType.Float64);
        var q = QuadratureNormalizer.Covering(data, margin: 0.5, pointsPerDimension: 10);
        Assert.Equal([-2.0, -6.5], q.Lower); // x in [0, 4], y in [-1, 10]
        Assert.Equal([6.0, 15.5], q.Upper);
        Assert.Equal(100, q.Points.Length);
    }

    [Fact]
    public void More_than_two_dimensions_is_refused() =>
        Assert.Throws<ArgumentException>(() => new QuadratureNormalizer([0.0, 0, 0], [1.0, 1, 1], 10));
}
