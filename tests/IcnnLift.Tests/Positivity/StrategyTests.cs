using IcnnLift.Convex;
using IcnnLift.Positivity;
using IcnnLift.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Positivity;

public class StrategyTests
{
    public static TheoryData<PositivityMethod> Methods => new(Enum.GetValues<PositivityMethod>());

    private const int D = 2;

    private static (InputConvexNetwork Net, PositiveNetwork Model) Wrapped(PositivityMethod method, int seed = 5, double headScale = 0.0)
    {
        var g = new Generator((ulong)seed);
        var net = new InputConvexNetwork(new IcnnSpec(D, Width: 12, Depth: 3, Alpha: 0.05), g, ScalarType.Float64);
        // lift-fixed's batch comes from a generator of its own, so every method draws the same initial network from g.
        var fixedBatch = randn([16, D], ScalarType.Float64, generator: new Generator(99));
        return (net, PositiveNetwork.Wrap(net, method, D, new LiftOptions(EncoderWidth: 8, DecoderWidth: 8, HeadScale: headScale), g, fixedBatch));
    }

    /// <summary>A few Adam steps on a loss that pulls every constrained weight towards negative values.</summary>
    private static void TrainTowardsNegativeWeights(PositiveNetwork model, int steps = 30)
    {
        var optimizer = Trainer.CreateOptimizer(model, new TrainConfig { LearningRate = 0.05 });
        var g = new Generator(11);
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var batch = randn([32, D], ScalarType.Float64, generator: g);
            Tensor loss;
            using (model.Conditioned(batch))
                loss = model.Network.forward(batch).mean() + model.ConstrainedWeights.Select(w => w.Value.sum()).Aggregate((a, b) => a + b);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            model.AfterStep();
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Materialised_weights_stay_non_negative_and_the_network_convex(PositivityMethod method)
    {
        var (net, model) = Wrapped(method);
        TrainTowardsNegativeWeights(model);
        var batch = randn([32, D], ScalarType.Float64, generator: new Generator(3));
        if (model.Strategy is not Admm) // ADMM trains on raw weights by design; only its evaluation weights are projected
            using (model.Conditioned(batch))
            {
                foreach (var w in model.ConstrainedWeights)
                    Assert.True(w.Value.ge(0).all().item<bool>(), $"{method}: negative weight in {w.GetName()}");
                Assert.True(Convexity.MidpointViolation(model.Network.forward, D, 0.05, 1000, new Generator(4)) <= 1e-9);
            }
        model.Collapse(batch);
        foreach (var w in model.ConstrainedWeights)
            Assert.True(w.Stored.ge(0).all().item<bool>(), $"{method}: negative evaluation weight in {w.GetName()}");
        Assert.True(Convexity.MidpointViolation(net.forward, D, 0.05, 1000, new Generator(4)) <= 1e-9);
        Assert.True(Convexity.MinHessianEigenvalue(net.forward, D, 5, new Generator(5)) >= 0.05 - 1e-8);
    }

    [Fact]
    public void Admm_keeps_z_feasible_and_its_schedules_move_rho()
    {
        foreach (var (method, check) in new (PositivityMethod, Action<Admm>)[]
        {
            (PositivityMethod.AdmmFixed, a => Assert.Equal(10, a.Rho)),
            (PositivityMethod.AdmmDouble, a => Assert.Equal(20, a.Rho)), // 250 steps: one doubling at step 200
            (PositivityMethod.AdmmBalance, a => Assert.NotEqual(10, a.Rho)),
        })
        {
            var (_, model) = Wrapped(method);
            TrainTowardsNegativeWeights(model, steps: 250);
            var admm = (Admm)model.Strategy;
            Assert.True(admm.get_buffer("z")!.ge(0).all().item<bool>());
            Assert.True(double.IsFinite(admm.PrimalResidual) && double.IsFinite(admm.DualResidual));
            check(admm);
        }
    }

    [Fact]
    public void Every_method_starts_from_the_same_weights()
    {
        var batch = randn([32, D], ScalarType.Float64, generator: new Generator(3));
        var start = Enum.GetValues<PositivityMethod>().Select(m => Wrapped(m).Model.CollapsedWeights(batch)).ToList();
        foreach (var w in start.Skip(1))
            Assert.True(w.allclose(start[0], rtol: 1e-10, atol: 1e-12));
        // ... and the weights are those the network was initialised with.
        Assert.True(start[0].allclose(cat(Wrapped(PositivityMethod.Pgd).Net.ConstrainedWeights.Select(c => c.Stored.flatten()).ToArray()), rtol: 1e-10,
            atol: 1e-12));
    }

    [Fact]
    public void A_lift_with_a_nonzero_head_depends_on_the_batch_but_not_on_its_order()
    {
        var (_, model) = Wrapped(PositivityMethod.Lift, headScale: 1.0);
        var g = new Generator(9);
        var a = randn([64, D], ScalarType.Float64, generator: g);
        var b = randn([64, D], ScalarType.Float64, generator: g);
        var shuffled = a.index_select(0, randperm(64, generator: g));
        Assert.False(model.CollapsedWeights(a).allclose(model.CollapsedWeights(b)));
        Assert.True(model.CollapsedWeights(a).allclose(model.CollapsedWeights(shuffled), rtol: 1e-10, atol: 1e-12));
    }

    [Fact]
    public void Collapsed_lift_equals_the_hypernetwork_output_on_the_reference_set()
    {
        var (net, model) = Wrapped(PositivityMethod.Lift, headScale: 1.0);
        TrainTowardsNegativeWeights(model, steps: 5);
        var reference = randn([200, D], ScalarType.Float64, generator: new Generator(12));
        var x = randn([50, D], ScalarType.Float64, generator: new Generator(13));
        Tensor conditioned;
        using (no_grad())
        using (model.Conditioned(reference))
            conditioned = net.forward(x);
        model.Collapse(reference);
        using (no_grad())
        {
            Assert.True(net.forward(x).allclose(conditioned, rtol: 1e-12, atol: 1e-12)); // the plain network now
            var lift = (Lift)model.Strategy;
            var expected = nn.functional.softplus(lift.Body(reference) + lift.Slack!);
            Assert.True(cat(net.ConstrainedWeights.Select(w => w.Stored.flatten()).ToArray()).allclose(expected, rtol: 1e-12, atol: 1e-12));
        }
    }

    [Fact]
    public void Pgd_projects_onto_the_non_negative_cone_after_the_step()
    {
        var (_, model) = Wrapped(PositivityMethod.Pgd);
        TrainTowardsNegativeWeights(model);
        var w = model.CollapsedWeights(zeros(1, D, ScalarType.Float64));
        Assert.True(w.eq(0).any().item<bool>(), "the loss drives weights below zero, so some should sit exactly at zero");
    }

    [Fact]
    public void Lift_fixed_is_the_lift_with_the_same_parameters_and_start_but_no_batch_noise()
    {
        var (_, lift) = Wrapped(PositivityMethod.Lift, headScale: 1.0);
        var (_, fixedLift) = Wrapped(PositivityMethod.LiftFixed, headScale: 1.0);
        var liftParameters = lift.Strategy.named_parameters().ToList();
        var fixedParameters = fixedLift.Strategy.named_parameters().ToList();
        Assert.Equal(liftParameters.Select(p => p.name), fixedParameters.Select(p => p.name));
        foreach (var (a, b) in liftParameters.Zip(fixedParameters))
            Assert.True(a.parameter.eq(b.parameter).all().item<bool>(), $"parameter {a.name} differs");
        var g = new Generator(21);
        var x = randn([64, D], ScalarType.Float64, generator: g);
        var y = randn([64, D], ScalarType.Float64, generator: g);
        var anchor = randn([16, D], ScalarType.Float64, generator: new Generator(99)); // the batch Wrapped fixes
        using (no_grad())
        {
            Assert.True(fixedLift.Strategy.FlatWeights(x).eq(fixedLift.Strategy.FlatWeights(y)).all().item<bool>());
            Assert.True(fixedLift.Strategy.FlatWeights(x).allclose(lift.Strategy.FlatWeights(anchor), rtol: 1e-12, atol: 1e-12));
            Assert.False(lift.Strategy.FlatWeights(x).allclose(lift.Strategy.FlatWeights(y)));
        }
    }

    [Fact]
    public void Lift_fixed_without_its_batch_is_refused()
    {
        var net = new InputConvexNetwork(new IcnnSpec(D, Width: 4, Depth: 2), new Generator(1), ScalarType.Float64);
        var e = Assert.Throws<ArgumentException>(() => PositiveNetwork.Wrap(net, PositivityMethod.LiftFixed, D));
        Assert.Contains("lift-fixed", e.Message);
    }

    [Fact]
    public void Only_the_lift_with_bias_trains_its_bias()
    {
        var (_, withBias) = Wrapped(PositivityMethod.Lift);
        var (_, noBias) = Wrapped(PositivityMethod.LiftNoBias);
        Assert.Contains(withBias.Strategy.named_parameters(), p => p.name == "b");
        Assert.DoesNotContain(noBias.Strategy.named_parameters(), p => p.name == "b");
        Assert.Contains(noBias.Strategy.named_buffers(), p => p.name == "b");
    }

    [Fact]
    public void Unknown_method_is_refused_with_the_list_of_methods()
    {
        var e = Assert.Throws<ArgumentException>(() => PositivityMethods.Parse("clamp"));
        Assert.Contains("lift", e.Message);
    }
}
