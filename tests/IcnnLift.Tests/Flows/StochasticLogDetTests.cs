using IcnnLift.Convex;
using IcnnLift.Density;
using IcnnLift.Flows;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Flows;

public class StochasticLogDetTests
{
    private static InputConvexNetwork Network(int d, int seed = 11)
    {
        var g = new Generator((ulong)seed);
        var net = new InputConvexNetwork(new IcnnSpec(d, Width: 16, Depth: 3, Alpha: 0.3), g, ScalarType.Float64);
        using (no_grad()) foreach (var p in net.parameters()) p.add_(randn(p.shape, ScalarType.Float64, generator: g) * 0.3);
        foreach (var w in net.ConstrainedWeights) using (no_grad()) w.Stored.mul_(4);
        return net;
    }

    [Fact]
    public void Hessian_operator_matches_the_closed_form_hessian()
    {
        using var net = Network(7);
        var g = new Generator(2);
        var x = randn([5, 7], ScalarType.Float64, generator: g);
        var v = randn([5, 7], ScalarType.Float64, generator: g);
        var (energy, gradient, hessian) = net.Derivatives(x);
        var (energy2, gradient2, times) = net.HessianOperator(x);
        Assert.True(energy2.allclose(energy, rtol: 1e-12, atol: 1e-12));
        Assert.True(gradient2.allclose(gradient, rtol: 1e-10, atol: 1e-10));
        Assert.True(times(v).allclose(hessian.bmm(v.unsqueeze(-1)).squeeze(-1), rtol: 1e-10, atol: 1e-10));
    }

    [Fact]
    public void Conjugate_gradients_solve_the_hessian_system()
    {
        using var net = Network(9);
        var x = randn([4, 9], ScalarType.Float64, generator: new Generator(3));
        var (_, _, hessian) = net.Derivatives(x);
        var (_, _, times) = net.HessianOperator(x);
        var v = StochasticLogDet.Probes(4, 9, ScalarType.Float64, new Generator(4));
        var w = StochasticLogDet.ConjugateGradient(times, v, 100, 1e-12);
        Assert.True(hessian.bmm(w.unsqueeze(-1)).squeeze(-1).allclose(v, rtol: 1e-8, atol: 1e-8));
    }

    [Fact]
    public void Lanczos_quadrature_estimates_the_log_determinant()
    {
        using var net = Network(6);
        var x = randn([3, 6], ScalarType.Float64, generator: new Generator(5));
        var exact = ConvexPotentialFlow.LogDetSpd(net.Derivatives(x).Hessian);
        var (_, _, times) = net.HessianOperator(x);
        var g = new Generator(6);
        const int probes = 400;
        var estimate = zeros_like(exact);
        for (int p = 0; p < probes; p++) estimate += StochasticLogDet.Lanczos(times, StochasticLogDet.Probes(3, 6, ScalarType.Float64, g), 6) / probes;
        for (int i = 0; i < 3; i++)
            Assert.Equal(exact[i].ToDouble(), estimate[i].ToDouble(), 0.05 * Math.Abs(exact[i].ToDouble()) + 0.05);
    }

    [Fact]
    public void The_surrogate_gradient_is_the_log_determinant_gradient_on_average()
    {
        using var net = Network(5);
        var x = randn([2, 5], ScalarType.Float64, generator: new Generator(7));
        var parameter = net.ConstrainedWeights[0].Stored.requires_grad_(true); // a constrained weight, as the strategies see it
        var exact = autograd.grad([ConvexPotentialFlow.LogDetSpd(net.Derivatives(x).Hessian).sum()], [parameter])[0];
        var g = new Generator(8);
        const int probes = 600;
        var average = zeros_like(exact);
        for (int p = 0; p < probes; p++)
        {
            var (_, _, times) = net.HessianOperator(x);
            var surrogate = StochasticLogDet.Surrogate(times, StochasticLogDet.Probes(2, 5, ScalarType.Float64, g), 100, 1e-12).sum();
            average += autograd.grad([surrogate], [parameter])[0] / probes;
        }
        double relative = ((average - exact).norm() / exact.norm()).ToDouble();
        Assert.True(relative < 0.15, $"relative error {relative}");
    }

    [Fact]
    public void A_stochastic_flow_evaluates_close_to_the_exact_one_with_the_same_weights()
    {
        var spec = new IcnnSpec(6, Width: 12, Depth: 3, Alpha: 0.5);
        var data = randn([300, 6], ScalarType.Float64, generator: new Generator(9));
        using var exact = new ConvexPotentialFlow(spec, 2, new Generator(1), ScalarType.Float64);
        using var stochastic = new ConvexPotentialFlow(spec, 2, new Generator(1), ScalarType.Float64,
            new FlowOptions(LogDetMethod.Stochastic, EvaluationProbes: 64, LanczosSteps: 6), probeSeed: 3);
        exact.InitializeFrom(data);
        stochastic.InitializeFrom(data);
        Assert.Equal(exact.NllValue(data), stochastic.NllValue(data), 0.05);
        Assert.True(double.IsFinite(stochastic.TrainingLoss(data).ToDouble()));
    }
}
