using IcnnLift.Convex;
using IcnnLift.Positivity;
using IcnnLift.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Positivity;

/// <summary>A user's own convex module, not this project's ICNN: f(x) = sum softplus(W2 relu(A x + a)) + |x|^2/2 style.</summary>
internal sealed class UserConvexNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear first;
    private readonly ConstrainedWeight mix;
    private readonly ConstrainedWeight readout;

    public UserConvexNet(int d, int width) : base("user-net")
    {
        first = nn.Linear(d, width, dtype: ScalarType.Float64);
        mix = new ConstrainedWeight("mix", rand(width, width, ScalarType.Float64, generator: new Generator(1)) * 0.1);
        readout = new ConstrainedWeight("readout", rand(1, width, ScalarType.Float64, generator: new Generator(2)) * 0.1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = nn.functional.relu(first.forward(x));
        h = nn.functional.softplus(nn.functional.linear(h, mix.Value));
        return nn.functional.linear(h, readout.Value).squeeze(-1) + x.square().sum(-1) * 0.5;
    }
}

public class DropInWrapperTests
{
    [Theory]
    [InlineData(PositivityMethod.Lift)]
    [InlineData(PositivityMethod.Softplus)]
    [InlineData(PositivityMethod.Pgd)]
    public void A_user_module_is_wrapped_in_two_lines_and_trains_convex(PositivityMethod method)
    {
        var net = new UserConvexNet(2, 8);
        var model = PositiveNetwork.Wrap(net, method, inputDimension: 2);

        Assert.Equal(2, model.ConstrainedWeights.Count); // found by itself, in declaration order
        Assert.Equal(8 * 8 + 8, model.Strategy.Count);
        var optimizer = Trainer.CreateOptimizer(model, new TrainConfig { LearningRate = 0.05 });
        var g = new Generator(3);
        for (int i = 0; i < 20; i++)
        {
            using var scope = NewDisposeScope();
            var batch = randn([16, 2], ScalarType.Float64, generator: g);
            var loss = model.forward(batch).mean(); // no softplus, no clamping in the loop
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            model.AfterStep();
        }
        model.Collapse(randn([64, 2], ScalarType.Float64, generator: g));
        Assert.True(Convexity.MidpointViolation(net.forward, 2, 1.0, 1000, new Generator(4)) <= 1e-9);
    }

    [Fact]
    public void A_module_without_constrained_weights_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => PositiveNetwork.Wrap(nn.Linear(2, 1), PositivityMethod.Lift, 2));
        Assert.Contains("ConstrainedWeight", e.Message);
    }

    [Fact]
    public void Negative_initial_weights_are_refused() =>
        Assert.Throws<ArgumentException>(() => new ConstrainedWeight("w", tensor(new[] { 0.5, -0.1 })));
}
