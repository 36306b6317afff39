using IcnnLift.Convex;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Convex;

public class InputConvexNetworkTests
{
    public static TheoryData<string, string> Activations => new()
    {
        { "softplus", "default" }, { "relu", "default" }, { "leaky_relu:0.2", "default" }, { "elu:1", "default" }, { "elu:0.5", "principled" },
        { "softplus", "principled" }, { "relu", "principled" }, { "gaussian_softplus", "default" }, { "softplus", "cpflow" },
        { "gaussian_softplus", "cpflow" },
    };

    /// <summary>A network; <paramref name="init"/> "cpflow" is the cpflow architecture, data-initialised on normal draws.</summary>
    private static InputConvexNetwork Network(string activation, string init, int d = 3, double alpha = 0.1, int seed = 1)
    {
        bool cpflow = init == "cpflow";
        var net = new InputConvexNetwork(new IcnnSpec(d, Width: 16, Depth: 3, Activation: Activation.Parse(activation), Alpha: alpha,
            Initialization: cpflow ? InitializationKind.Default : Initialization.Parse(init),
            Architecture: cpflow ? IcnnArchitecture.CpFlow : IcnnArchitecture.Dense), new Generator((ulong)seed), ScalarType.Float64);
        net.InitializeFrom(randn([500, d], ScalarType.Float64, generator: new Generator((ulong)seed + 1)).mul(2));
        return net;
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void Is_strongly_convex_along_random_segments(string activation, string init)
    {
        using var net = Network(activation, init);
        double violation = Convexity.MidpointViolation(net.forward, 3, 0.1, 2000, new Generator(7));
        Assert.True(violation <= 1e-9, $"midpoint convexity violated by {violation}");
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void Hessian_is_at_least_alpha_times_identity(string activation, string init)
    {
        using var net = Network(activation, init);
        double min = Convexity.MinHessianEigenvalue(net.forward, 3, 10, new Generator(8));
        Assert.True(min >= 0.1 - 1e-8, $"smallest Hessian eigenvalue {min} < alpha");
    }

    [Fact]
    public void The_convexity_checks_catch_a_network_with_negative_constrained_weights()
    {
        using var net = Network("softplus", "default", alpha: 1e-3);
        foreach (var w in net.ConstrainedWeights)
            using (no_grad()) w.Stored.mul_(-20);
        Assert.True(Convexity.MidpointViolation(net.forward, 3, 1e-3, 2000, new Generator(7)) > 1e-3);
        Assert.True(Convexity.MinHessianEigenvalue(net.forward, 3, 10, new Generator(8)) < 0);
    }

    [Fact]
    public void Output_is_one_energy_per_row_and_shape_errors_name_the_dimension()
    {
        using var net = Network("softplus", "default");
        Assert.Equal([5L], net.forward(zeros(5, 3, ScalarType.Float64)).shape);
        var e = Assert.Throws<ArgumentException>(() => net.forward(zeros(5, 2, ScalarType.Float64)));
        Assert.Contains("[n, 3]", e.Message);
    }

    [Fact]
    public void Principled_initialisation_draws_positive_log_normal_weights_and_shifts_the_bias_down()
    {
        using var net = Network("relu", "principled", d: 2);
        var (meanSq, variance, shift) = Initialization.PrincipledMoments(16);
        var w = net.ConstrainedWeights[0].Stored;
        Assert.True(w.gt(0).all().item<bool>());
        Assert.True(shift > 0);
        // 256 log-normal draws: the sample mean lies near sqrt(meanSq), well within a few standard errors.
        double mean = w.mean().ToDouble();
        Assert.InRange(mean, Math.Sqrt(meanSq) - 4 * Math.Sqrt(variance / 256), Math.Sqrt(meanSq) + 4 * Math.Sqrt(variance / 256));
        var bias = net.state_dict().Single(kv => kv.Key.EndsWith("1.bias")).Value;
        Assert.True(bias.allclose(full_like(bias, -shift)));
    }

    [Theory]
    [InlineData("leaky_relu:1.5")]
    [InlineData("elu:2")]
    [InlineData("tanh")]
    public void Non_convex_activations_are_refused(string activation) =>
        Assert.Throws<ArgumentException>(() => Activation.Parse(activation));

    [Fact]
    public void Same_generator_seed_gives_the_same_network()
    {
        using var a = Network("softplus", "default", seed: 3);
        using var b = Network("softplus", "default", seed: 3);
        using var c = Network("softplus", "default", seed: 4);
        var x = randn(10, 3, ScalarType.Float64);
        Assert.True(a.forward(x).equal(b.forward(x)).all().item<bool>());
        Assert.False(a.forward(x).allclose(c.forward(x)));
    }

    [Fact]
    public void The_cpflow_data_initialisation_gives_the_network_part_unit_variance_and_keeps_alpha()
    {
        var g = new Generator(9);
        var data = randn([2000, 2], ScalarType.Float64, generator: g).mul(3).add(1);
        using var net = new InputConvexNetwork(new IcnnSpec(2, Width: 32, Depth: 6, Activation: Activation.GaussianSoftplus, Alpha: 0.5,
            Architecture: IcnnArchitecture.CpFlow), g, ScalarType.Float64);
        net.InitializeFrom(data);
        var network = net.forward(data) - data.square().sum(-1).mul(0.25); // minus (alpha/2)|x|^2 with alpha at its initial 0.5
        Assert.Equal(1.0, network.std().ToDouble(), 6);
        // Every free parameter once (the optimiser would step a duplicate twice): 7 input maps' weights and biases, 5 shifts and
        // 5 log-scales, the output scale and alpha.
        var names = net.named_parameters().Select(p => p.name).ToList();
        Assert.Equal(14 + 5 + 5 + 2, names.Count);
        Assert.Equal(names.Count, net.parameters().Select(p => p.Handle).Distinct().Count());
        // Half of each hidden layer after the first is the input branch: its constrained weights have half the rows.
        Assert.Equal([16L, 32L], net.ConstrainedWeights[0].Shape);
        Assert.Equal([1L, 32L], net.ConstrainedWeights[^1].Shape);
    }

    [Theory]
    [InlineData(IcnnArchitecture.Dense)]
    [InlineData(IcnnArchitecture.CpFlow)]
    public void Symmetric_init_starts_every_constrained_weight_at_one_value_whatever_the_seed(IcnnArchitecture architecture)
    {
        var spec = new IcnnSpec(2, Width: 8, Depth: 3, Architecture: architecture, SymmetricInit: true);
        using var a = new InputConvexNetwork(spec, new Generator(1), ScalarType.Float64);
        using var b = new InputConvexNetwork(spec, new Generator(2), ScalarType.Float64);
        var first = a.ConstrainedWeights[0].Stored[0, 0].ToDouble();
        Assert.Equal(architecture == IcnnArchitecture.CpFlow ? Math.Log(2) : 0.5 / Math.Sqrt(8), first, 12);
        foreach (var (wa, wb) in a.ConstrainedWeights.Zip(b.ConstrainedWeights))
        {
            Assert.True(wa.Stored.eq(first).all().item<bool>());
            Assert.True(wb.Stored.eq(first).all().item<bool>());
        }
        var x = randn(10, 2, ScalarType.Float64);
        Assert.False(a.forward(x).allclose(b.forward(x))); // the free weights still differ by seed
    }
}
