using IcnnLift.Convex;
using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Positivity;
using IcnnLift.Targets;
using IcnnLift.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Density;

public class ImportanceSamplingNormalizerTests
{
    [Fact]
    public void LogZ_of_a_quadratic_energy_matches_the_gaussian_integral()
    {
        const int d = 5;
        const double alpha = 0.7;
        var net = TestNetworks.Quadratic(d, alpha);
        double e0 = net.forward(zeros(1, d, ScalarType.Float64)).ToDouble();
        double expected = -e0 + 0.5 * d * Math.Log(2 * Math.PI / alpha);
        // Unwidened, the Laplace proposal is the target itself: every weight is equal, the estimate exact.
        var exact = new LogConcaveDensity(net, new ImportanceSamplingNormalizer(d, 4096, 1.0, 7, ScalarType.Float64));
        Assert.Equal(expected, exact.LogZ(), 1e-9);
        Assert.Equal(4096, exact.Normalization().EffectiveSampleSize!.Value, 1e-6);
        // Widened, it is an estimate within a few of its standard errors.
        var widened = new LogConcaveDensity(net, new ImportanceSamplingNormalizer(d, 4096, 1.5, 7, ScalarType.Float64));
        double se = widened.Normalization().StandardError!.Value;
        Assert.InRange(widened.LogZ() - expected, -4 * se, 4 * se);
    }

    [Fact]
    public void LogZ_agrees_with_quadrature_in_2d_within_its_standard_error()
    {
        var g = new Generator(3);
        var net = new InputConvexNetwork(new IcnnSpec(2, Width: 16, Depth: 3, Alpha: 0.2), g, ScalarType.Float64);
        using (no_grad()) foreach (var p in net.parameters()) p.add_(randn(p.shape, ScalarType.Float64, generator: g) * 0.5);
        var quadrature = new LogConcaveDensity(net, new QuadratureNormalizer([-25.0, -25.0], [25.0, 25.0], 500).Use(ScalarType.Float64));
        var sampled = new LogConcaveDensity(net, new ImportanceSamplingNormalizer(2, 20_000, 1.5, 9, ScalarType.Float64));
        var (_, standardError, effective) = sampled.Normalization();
        double se = standardError!.Value, ess = effective!.Value;
        Assert.True(ess > 1000, $"effective sample size {ess}");
        Assert.InRange(sampled.LogZ() - quadrature.LogZ(), -4 * se - 1e-3, 4 * se + 1e-3);
    }

    [Fact]
    public void The_gradient_of_logZ_is_the_self_normalised_one()
    {
        var g = new Generator(4);
        var net = new InputConvexNetwork(new IcnnSpec(3, Width: 8, Depth: 2, Alpha: 0.5), g, ScalarType.Float64);
        var sampler = new ImportanceSamplingNormalizer(3, 500, 1.5, 2, ScalarType.Float64);
        var density = new LogConcaveDensity(net, sampler);
        var parameter = net.parameters().First();
        var gradient = autograd.grad([sampler.LogZ(net.forward(sampler.Points))], [parameter])[0];
        // -sum_i softmax(-E_i - log q_i) dE_i/dtheta, by hand.
        var energies = net.forward(sampler.Points);
        var weights = autograd.grad([sampler.LogZ(energies)], [energies], retain_graph: true)[0].detach();
        var expected = autograd.grad([energies.mul(weights).sum()], [parameter])[0];
        Assert.True(gradient.allclose(expected, rtol: 1e-10, atol: 1e-12));
        Assert.True(weights.le(0).all().item<bool>() && Math.Abs(weights.sum().ToDouble() + 1) < 1e-10); // -softmax
    }

    [Fact]
    public void The_gradient_of_logZ_agrees_with_the_quadrature_gradient_in_2d()
    {
        // The reference is independent of the sampler: d log Z / d theta by autograd through a fine quadrature.
        var g = new Generator(3);
        var net = new InputConvexNetwork(new IcnnSpec(2, Width: 16, Depth: 3, Alpha: 0.2), g, ScalarType.Float64);
        using (no_grad()) foreach (var p in net.parameters()) p.add_(randn(p.shape, ScalarType.Float64, generator: g) * 0.5);
        var parameters = net.parameters().ToArray();
        Tensor Flat(IList<Tensor> grads) => cat(grads.Select(t => t.flatten()).ToArray());
        var grid = new QuadratureNormalizer([-25.0, -25.0], [25.0, 25.0], 500).Use(ScalarType.Float64);
        var reference = Flat(autograd.grad([grid.LogZ(net.forward(grid.Grid(ScalarType.Float64)))], parameters));

        var sampler = new ImportanceSamplingNormalizer(2, 20_000, 1.5, 9, ScalarType.Float64);
        _ = new LogConcaveDensity(net, sampler); // fits the proposal
        var energies = net.forward(sampler.Points);
        var sampled = Flat(autograd.grad([sampler.LogZ(energies)], parameters, retain_graph: true));
        double Error(Tensor gradient) => (gradient - reference).norm().ToDouble() / reference.norm().ToDouble();
        Assert.True(Error(sampled) < 0.05, $"relative error {Error(sampled):F3}");

        // The test can tell: the same draws with uniform weights (the proposal's mean of -dE/dtheta) miss by far more.
        var uniform = Flat(autograd.grad([energies.mean().neg()], parameters));
        Assert.True(Error(uniform) > 4 * Error(sampled), $"uniform weights: relative error {Error(uniform):F3}, importance weights {Error(sampled):F3}");
    }

    [Fact]
    public void An_energy_model_trains_in_6d_and_reports_its_sampling_error()
    {
        var target = Target.Get("tabular-6d");
        var data = Dataset.FromTarget(target, 400, 200, 400, 0);
        var config = TrainerTestsConfig(PositivityMethod.Lift) with { ImportanceSamples = 512 };
        var model = Trainer.Train(config, data, target);
        Assert.True(model.Result.BestValidationNll < model.Metrics[0].ValidationNll, "validation NLL did not improve");
        Assert.NotNull(model.Result.LogZStandardError);
        Assert.InRange(model.Result.EffectiveSampleSize!.Value, 1, 512);
        // With fewer draws than the threshold the estimate is always flagged.
        var flagged = Trainer.Train(config with { ImportanceSamples = 50, Steps = 10 }, data, target);
        Assert.Contains("effective samples", flagged.Result.Warning);
    }

    private static TrainConfig TrainerTestsConfig(PositivityMethod method) => Training.TrainerTests.Small(method, steps: 60) with { LearningRate = 0.01 };
}
