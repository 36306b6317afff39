using IcnnLift.Data;
using IcnnLift.Diagnostics;
using IcnnLift.Positivity;
using IcnnLift.Targets;
using IcnnLift.Tests.Training;
using IcnnLift.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Diagnostics;

public class SlackCrossCovarianceTests
{
    [Fact]
    public void The_gram_route_equals_the_norm_of_the_formed_matrix()
    {
        var g = new Generator(5);
        var h = randn(30, 200, ScalarType.Float64, generator: g);
        var grad = randn(30, 200, ScalarType.Float64, generator: g) + 0.3 * h; // correlated with h
        var sigma = (h - h.mean([0], keepdim: true)).T.matmul(grad - grad.mean([0], keepdim: true)) / 30;
        Assert.Equal(linalg.norm(sigma).ToDouble(), SlackCrossCovariance.Frobenius(h, grad), 1e-10);
        // A constant channel has no covariance with anything.
        Assert.Equal(0.0, SlackCrossCovariance.Frobenius(ones(30, 200, ScalarType.Float64) * 3, grad));
    }

    [Theory]
    [InlineData(PositivityMethod.Softplus)]     // no body, no slack
    [InlineData(PositivityMethod.SoftplusBias)] // a body that does not see the batch
    [InlineData(PositivityMethod.LiftNoBias)]   // no slack
    [InlineData(PositivityMethod.LiftFixed)]    // a body that sees one batch only
    public void The_deletions_read_exactly_zero(PositivityMethod method)
    {
        var result = Train(method);
        Assert.NotEmpty(result.Readings);
        Assert.All(result.Readings, r => Assert.Equal(0.0, r));
        Assert.Equal(0.0, result.Mean);
    }

    [Fact]
    public void The_full_lift_reads_a_positive_cross_covariance_and_pgd_none()
    {
        var lift = Train(PositivityMethod.Lift);
        Assert.True(lift.Readings.Count >= 5);
        Assert.All(lift.Readings, r => Assert.True(r > 0, $"reading {r}"));
        var pgd = Train(PositivityMethod.Pgd);
        Assert.Empty(pgd.Readings);
        Assert.Null(pgd.Mean);
    }

    private static (List<double> Readings, double? Mean) Train(PositivityMethod method)
    {
        var target = Target.Get("gumbel");
        var config = TrainerTests.Small(method, steps: 80) with { CrossCovarianceWindow = 20, CrossCovarianceEvery = 10 };
        var model = Trainer.Train(config, Dataset.FromTarget(target, 300, 200, 200, 0), target);
        var readings = model.Metrics.Where(m => m.CrossCovariance is not null).Select(m => m.CrossCovariance!.Value).ToList();
        if (readings.Count > 0) Assert.Equal(7, readings.Count); // steps 20, 30, ..., 80: once the window is full
        return (readings, model.Result.MeanCrossCovariance);
    }
}
