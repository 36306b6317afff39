using IcnnLift.Convex;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Convex;

/// <summary>The closed-form energy, gradient and Hessian against autograd, on random networks (float64).</summary>
public class DerivativesTests
{
    [Theory]
    [InlineData("softplus", 3, 1)]
    [InlineData("softplus", 3, 4)]
    [InlineData("elu:0.7", 5, 3)]
    [InlineData("leaky_relu:0.3", 4, 2)]
    [InlineData("relu", 2, 3)]
    [InlineData("softplus", 21, 4)]
    [InlineData("softplus", 5, 3, true)]
    [InlineData("elu:0.7", 21, 2, true)]
    [InlineData("gaussian_softplus", 3, 3)]
    [InlineData("softplus", 5, 3, false, IcnnArchitecture.CpFlow)]
    [InlineData("gaussian_softplus", 2, 20, false, IcnnArchitecture.CpFlow)]
    [InlineData("gaussian_softplus", 4, 1, true, IcnnArchitecture.CpFlow)]
    public void Closed_form_matches_autograd(string activation, int d, int depth, bool gaussianBase = false,
        IcnnArchitecture architecture = IcnnArchitecture.Dense)
    {
        var g = new Generator(17);
        using var net = new InputConvexNetwork(new IcnnSpec(d, Width: 16, Depth: depth, Activation: Activation.Parse(activation), Alpha: 0.3,
            Initialization: InitializationKind.Principled,
            Base: gaussianBase ? EnergyBase.Gaussian : EnergyBase.None, Architecture: architecture), g, ScalarType.Float64);
        // Push the weights away from the initialisation so that every term matters.
        using (no_grad()) foreach (var p in net.parameters()) p.add_(randn_like(p) * 0.3);
        if (gaussianBase) net.FitGaussianBase(randn([200, d], ScalarType.Float64, generator: g).matmul(randn([d, d], ScalarType.Float64, generator: g)) + 2);
        var x = randn([6, d], ScalarType.Float64, generator: g);
        var (energy, gradient, hessian) = net.Derivatives(x);
        var v = randn([6, d], ScalarType.Float64, generator: g);
        var (_, operatorGradient, hessianTimes) = net.HessianOperator(x);
        Assert.True(operatorGradient.allclose(gradient, rtol: 1e-10, atol: 1e-10));
        Assert.True(hessianTimes(v).allclose(hessian.bmm(v.unsqueeze(-1)).squeeze(-1), rtol: 1e-8, atol: 1e-8));

        Assert.True(energy.allclose(net.forward(x), rtol: 1e-10, atol: 1e-10));
        var input = x.clone().requires_grad_(true);
        var expectedGradient = autograd.grad([net.forward(input).sum()], [input])[0];
        Assert.True(gradient.allclose(expectedGradient, rtol: 1e-8, atol: 1e-8));
        for (int i = 0; i < 6; i++)
        {
            var expected = Convexity.Hessian(net.forward, x[i]);
            double error = (hessian[i] - expected).abs().max().ToDouble();
            Assert.True(error < 1e-5, $"sample {i}: Hessian differs from autograd by {error}");
        }
    }

    [Fact]
    public void The_gaussian_base_adds_the_datas_gaussian_energy()
    {
        var spec = new IcnnSpec(3, Width: 8, Depth: 2);
        using var plain = new InputConvexNetwork(spec, new Generator(4), ScalarType.Float64);
        using var based = new InputConvexNetwork(spec with { Base = EnergyBase.Gaussian }, new Generator(4), ScalarType.Float64);
        var g = new Generator(5);
        var data = randn([500, 3], ScalarType.Float64, generator: g).matmul(tensor(new double[] { 2, 0, 0, 1, 1, 0, 0, 0.5, 0.3 }, [3, 3],
            ScalarType.Float64)) + 1;
        based.FitGaussianBase(data);
        var (mean, covariance) = based.GaussianBase!.Value;
        var centred = data - data.mean([0]);
        Assert.True(covariance.allclose(centred.T.matmul(centred) / 500, rtol: 1e-4, atol: 1e-6));
        var x = randn([10, 3], ScalarType.Float64, generator: g);
        var expected = (x - mean).matmul(linalg.inv(covariance)).mul(x - mean).sum(-1) * 0.5;
        Assert.True((based.forward(x) - plain.forward(x)).allclose(expected, rtol: 1e-8, atol: 1e-8));
        Assert.Throws<InvalidOperationException>(() => plain.FitGaussianBase(data));
    }

    [Fact]
    public void Closed_form_hessian_is_differentiable_in_the_parameters()
    {
        var g = new Generator(5);
        using var net = new InputConvexNetwork(new IcnnSpec(3, Width: 8, Depth: 3), g, ScalarType.Float64);
        var x = randn([4, 3], ScalarType.Float64, generator: g);
        var first = net.parameters().First();
        // d/dtheta of sum(H) by autograd through the closed form, against a central difference.
        var analytic = autograd.grad([net.Derivatives(x).Hessian.sum()], [first])[0][0, 0].ToDouble();
        double h = 1e-6, original = first[0, 0].ToDouble();
        double Value(double v)
        {
            using (no_grad()) first[0, 0] = v;
            using (no_grad()) return net.Derivatives(x).Hessian.sum().ToDouble();
        }
        double numeric = (Value(original + h) - Value(original - h)) / (2 * h);
        Value(original);
        Assert.Equal(numeric, analytic, 1e-5);
    }

    [Theory]
    [InlineData("softplus")]
    [InlineData("elu:0.7")]
    [InlineData("leaky_relu:0.3")]
    [InlineData("relu")]
    [InlineData("gaussian_softplus", IcnnArchitecture.CpFlow)]
    public void The_log_determinants_parameter_gradient_matches_double_backward_autograd(string activation,
        IcnnArchitecture architecture = IcnnArchitecture.Dense)
    {
        // What a flow's training differentiates: sum over a batch of log det of the closed-form Hessian, against the
        // Hessian built by autograd twice (create_graph), so that both are functions of every parameter.
        const int d = 3, n = 5;
        var g = new Generator(23);
        using var net = new InputConvexNetwork(new IcnnSpec(d, Width: 12, Depth: 3, Activation: Activation.Parse(activation), Alpha: 0.3,
            Initialization: InitializationKind.Principled, Architecture: architecture), g, ScalarType.Float64);
        using (no_grad()) foreach (var p in net.parameters()) p.add_(randn_like(p) * 0.3);
        var parameters = net.parameters().ToArray();
        var x = randn([n, d], ScalarType.Float64, generator: g);

        var closed = autograd.grad([linalg.slogdet(net.Derivatives(x).Hessian).Item2.sum()], parameters, allow_unused: true);

        var input = x.clone().requires_grad_(true);
        var gradient = autograd.grad([net.forward(input).sum()], [input], create_graph: true, retain_graph: true)[0];
        var rows = Enumerable.Range(0, d).Select(i => autograd.grad([gradient[.., i].sum()], [input], create_graph: true, retain_graph: true)[0]).ToArray();
        var hessian = stack(rows, 1); // [n, d, d]: samples are independent, so each row is that sample's
        var reference = autograd.grad([linalg.slogdet(hessian).Item2.sum()], parameters, allow_unused: true);

        for (int k = 0; k < parameters.Length; k++)
        {
            var expected = reference[k] is { } r && r.IsInvalid == false ? r : zeros_like(parameters[k]);
            var actual = closed[k] is { } c && c.IsInvalid == false ? c : zeros_like(parameters[k]);
            double error = (actual - expected).abs().max().ToDouble(), scale = expected.abs().max().ToDouble();
            Assert.True(error <= 1e-7 * (1 + scale), $"{activation}: parameter {k} {net.named_parameters().ElementAt(k).name}: gradients differ by {error} "
                + $"(scale {scale})");
        }
    }
}
