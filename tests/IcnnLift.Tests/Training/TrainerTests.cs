using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Flows;
using TorchSharp;
using IcnnLift.Positivity;
using IcnnLift.Targets;
using IcnnLift.Training;
using Xunit;

namespace IcnnLift.Tests.Training;

public class TrainerTests
{
    internal static TrainConfig Small(PositivityMethod method, int seed = 0, int steps = 40) => new()
    {
        Method = method, Seed = seed, Steps = steps, BatchSize = 64, Width = 16, Depth = 2, EvalEvery = 10, GridPoints = 256,
        Lift = new LiftOptions(EncoderWidth: 8, DecoderWidth: 8, HeadScale: 0.1),
    };

    private static readonly Target Gumbel = Target.Get("gumbel");

    private static Dataset Data(int seed = 0) => Dataset.FromTarget(Gumbel, 300, 200, 500, seed);

    [Theory]
    [InlineData(PositivityMethod.Lift)]
    [InlineData(PositivityMethod.Pgd)]
    public void Same_seed_gives_the_same_numbers(PositivityMethod method)
    {
        var a = Trainer.Train(Small(method), Data(), Gumbel);
        var b = Trainer.Train(Small(method), Data(), Gumbel);
        Assert.Equal(a.Metrics, b.Metrics);
        Assert.Equal(a.Result with { Seconds = 0 }, b.Result with { Seconds = 0 });
        var c = Trainer.Train(Small(method, seed: 1), Data(1), Gumbel);
        Assert.NotEqual(a.Result.TestNll, c.Result.TestNll);
    }

    [Theory]
    [InlineData(PositivityMethod.Pgd)]
    [InlineData(PositivityMethod.Softplus)]
    public void The_near_zero_share_counts_the_returned_networks_constrained_weights(PositivityMethod method)
    {
        var model = Trainer.Train(Small(method, steps: 60), Data());
        var weights = model.Model.Module.modules().OfType<IcnnLift.Convex.ConstrainedWeight>()
            .SelectMany(w => w.Stored.to_type(TorchSharp.torch.ScalarType.Float64).data<double>().ToArray()).ToList();
        Assert.Equal(weights.Count(v => v < Trainer.NearZeroWeight) / (double)weights.Count, model.Result.NearZeroWeightShare!.Value, 12);
    }

    [Fact]
    public void Reports_the_test_figures_of_the_best_validation_checkpoint()
    {
        var model = Trainer.Train(Small(PositivityMethod.Softplus, steps: 60), Data(), Gumbel);
        var evaluated = model.Metrics.Where(m => m.ValidationNll is not null).ToList();
        Assert.Equal(7, evaluated.Count); // steps 0, 10, ..., 60
        var best = evaluated.MinBy(m => m.ValidationNll!.Value)!;
        Assert.Equal(best.Step, model.Result.BestStep);
        Assert.Equal(best.ValidationNll!.Value, model.Result.BestValidationNll);
        // The returned network is that checkpoint: its validation NLL is the best one.
        var validation = Rows.ToTensor(Data().Validation, TorchSharp.torch.ScalarType.Float32);
        Assert.Equal(model.Result.BestValidationNll, model.Model.NllValue(validation), 1e-5);
        Assert.InRange(model.Result.TotalVariation!.Value, 0, 1);
        Assert.True(model.Result.CrossEntropy > 1.5); // never below the target's entropy, 1 + Euler's gamma
    }

    [Fact]
    public void Training_lowers_the_nll_and_every_method_learns_the_gumbel()
    {
        foreach (var method in Enum.GetValues<PositivityMethod>())
        {
            var model = Trainer.Train(Small(method, steps: 300) with { LearningRate = 0.01 }, Data(), Gumbel);
            // The matched-capacity network is wider, so its initial density is another (here closer) one.
            double gain = method == PositivityMethod.SoftplusMatched ? 0.1 : 0.3;
            Assert.True(model.Result.BestValidationNll < model.Metrics[0].ValidationNll - gain, $"{method} did not learn");
            Assert.True(model.Result.TotalVariation < 0.1, $"{method}: TV {model.Result.TotalVariation}");
        }
    }

    [Fact]
    public void Every_method_trains_a_2d_flow_reproducibly()
    {
        var target = Target.Get("8gaussians");
        var data = Dataset.FromTarget(target, 400, 200, 400, 0);
        foreach (var method in Enum.GetValues<PositivityMethod>())
        {
            var config = Small(method, steps: 60) with { Task = DensityTask.Flow, Blocks = 2, LearningRate = 0.01 };
            var model = Trainer.Train(config, data, target);
            Assert.True(model.Result.BestValidationNll < model.Metrics[0].ValidationNll - 0.05, $"{method} did not learn");
            Assert.InRange(model.Result.TotalVariation!.Value, 0, 1);
            Assert.Null(model.Result.LogZ);
            if (method == PositivityMethod.Lift)
                Assert.Equal(model.Result with { Seconds = 0 }, Trainer.Train(config, data, target).Result with { Seconds = 0 });
        }
    }

    public static TheoryData<PositivityMethod> Methods => [.. Enum.GetValues<PositivityMethod>()];

    [Theory]
    [MemberData(nameof(Methods))]
    public void Every_method_returns_convex_energies_and_flow_potentials(PositivityMethod method)
    {
        // Strongly convex along random segments: f((x+y)/2) <= (f(x)+f(y))/2 - (alpha/8)|x-y|^2, in float64 so that
        // rounding cannot hide a violation. ADMM included: what it returns is its projected (feasible) iterate.
        var energy = Trainer.Train(Small(method, steps: 15) with { Precision = NumericPrecision.Float64 }, Data(), Gumbel);
        var net = ((LogConcaveDensity)energy.Model).Energy;
        Assert.True(Convexity.MidpointViolation(net.forward, 1, net.Spec.Alpha, 2000, new TorchSharp.torch.Generator(1)) <= 1e-9, $"{method}: energy");

        var target = Target.Get("8gaussians");
        var config = Small(method, steps: 15) with { Task = DensityTask.Flow, Blocks = 2, Precision = NumericPrecision.Float64 };
        var flow = (ConvexPotentialFlow)Trainer.Train(config, Dataset.FromTarget(target, 300, 100, 100, 0), target).Model;
        foreach (var potential in flow.Potentials)
            Assert.True(Convexity.MidpointViolation(potential.forward, 2, potential.Spec.Alpha, 2000, new TorchSharp.torch.Generator(2)) <= 1e-9,
                $"{method}: flow potential");
    }

    [Theory]
    [InlineData(LogDetMethod.Exact)]
    [InlineData(LogDetMethod.Stochastic)]
    public void A_21d_flow_trains_with_either_log_determinant(LogDetMethod logDet)
    {
        var target = Target.Get("tabular-21d");
        var config = Small(PositivityMethod.Lift, steps: 30) with { Task = DensityTask.Flow, Flow = new FlowOptions(logDet), LearningRate = 0.01 };
        var model = Trainer.Train(config, Dataset.FromTarget(target, 300, 100, 100, 0), target);
        Assert.True(double.IsFinite(model.Result.TestNll));
        Assert.True(model.Result.BestValidationNll < model.Metrics[0].ValidationNll, "validation NLL did not improve");
        Assert.Null(model.Result.TotalVariation); // no closed-form density
    }

    [Fact]
    public void Sgd_from_a_chosen_shoulder_depth_starts_every_method_there_and_trains()
    {
        var config = Small(PositivityMethod.Softplus, steps: 100) with { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, InitialLevel = -3 };
        var density = DensityModels.Create(config, 1, new TorchSharp.torch.Generator(0), TorchSharp.torch.randn(50, 1));
        var weights = TorchSharp.torch.cat(((IcnnLift.Convex.InputConvexNetwork)density.Module).ConstrainedWeights.Select(w => w.Stored.flatten()).ToArray());
        var t = PositivityStrategy.InverseSoftplus(weights);
        Assert.Equal(-3, t.median().ToDouble(), 0.1);
        Assert.Equal(0.5, t.std().ToDouble(), 0.1);
        foreach (var method in new[] { PositivityMethod.Softplus, PositivityMethod.Lift })
        {
            var model = Trainer.Train(config with { Method = method }, Data(), Gumbel);
            Assert.InRange(model.Metrics[1].ShoulderOccupancy, 0.4, 0.7); // P(t < logit(0.05) = -2.944) = 0.54 for t ~ N(-3, 0.5^2)
            Assert.True(model.Result.BestValidationNll < model.Metrics[0].ValidationNll - 0.05, $"{method} did not learn with SGD");
        }
    }

    [Fact]
    public void Shoulder_occupancy_is_logged_for_the_softplus_family_only()
    {
        Assert.All(Trainer.Train(Small(PositivityMethod.Lift), Data(), Gumbel).Metrics.Skip(1), m => Assert.InRange(m.ShoulderOccupancy, 0, 1));
        Assert.All(Trainer.Train(Small(PositivityMethod.Pgd), Data(), Gumbel).Metrics, m => Assert.True(double.IsNaN(m.ShoulderOccupancy)));
    }

    [Fact]
    public void A_loss_that_stops_being_finite_stops_the_run_and_keeps_the_best_checkpoint()
    {
        // float32 overflows on |x|^2 for x = 1e20: the very first training loss is infinite.
        var rows = Enumerable.Range(0, 50).Select(i => new[] { 1e20 * (1 + i % 7) }).ToArray();
        var data = new Dataset("huge", rows, rows, rows);
        var model = Trainer.Train(Small(PositivityMethod.Softplus), data);
        Assert.NotNull(model.Result.Stopped);
        Assert.Contains("step 1", model.Result.Stopped);
        Assert.Equal(0, model.Result.StepsRun);
        Assert.Equal(0, model.Result.BestStep);
    }

    [Theory]
    [InlineData(nameof(TrainConfig.Steps), "--steps")]
    [InlineData(nameof(TrainConfig.Width), "--width")]
    [InlineData(nameof(TrainConfig.Depth), "--depth")]
    [InlineData(nameof(TrainConfig.BatchSize), "--batch-size")]
    public void Non_positive_sizes_are_refused_by_name(string property, string option)
    {
        var config = Small(PositivityMethod.Lift);
        typeof(TrainConfig).GetProperty(property)!.SetValue(config, 0);
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(config, Data(), Gumbel));
        Assert.Contains(option, e.Message);
    }
}
