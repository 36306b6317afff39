using IcnnLift.Convex;
using IcnnLift.Density;
using IcnnLift.Flows;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Flows;

public class ConvexPotentialFlowTests
{
    private static ConvexPotentialFlow Flow(int d, int blocks, int seed = 3, IcnnSpec? spec = null, FlowOptions? options = null)
    {
        var g = new Generator((ulong)seed);
        var flow = new ConvexPotentialFlow(spec ?? new IcnnSpec(d, Width: 12, Depth: 3, Alpha: 0.5), blocks, g, ScalarType.Float64, options);
        // Away from the initialisation, so that every term matters: stronger curvature, perturbed free weights.
        using (no_grad()) foreach (var p in flow.parameters()) p.add_(randn(p.shape, ScalarType.Float64, generator: g) * 0.2);
        foreach (var w in IcnnLift.Positivity.PositiveNetwork.FindConstrainedWeights(flow))
            using (no_grad()) w.Stored.mul_(3);
        flow.InitializeFrom(randn([500, d], ScalarType.Float64, generator: g) * 2 + 1);
        return flow;
    }

    /// <summary>The cpflow architecture (depth 6 here: depth 20 is checked below), Gaussian softplus, a base of scale 2.</summary>
    private static ConvexPotentialFlow CpFlow(int seed = 3) => Flow(2, blocks: 1, seed, new IcnnSpec(2, Width: 16, Depth: 6,
        Activation.GaussianSoftplus, Alpha: 1, Architecture: IcnnArchitecture.CpFlow), new FlowOptions(BaseScale: 2));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_density_of_a_2d_flow_integrates_to_one(bool cpflow)
    {
        using var flow = cpflow ? CpFlow() : Flow(2, blocks: 2);
        var grid = new QuadratureNormalizer([-30.0, -30.0], [30.0, 30.0], cpflow ? 200 : 300);
        var logp = flow.LogDensityValues(grid.Grid(ScalarType.Float64));
        Assert.Equal(1.0, logp.Sum(Math.Exp) * grid.CellVolume, 1e-4);
    }

    [Fact]
    public void Log_determinant_matches_autograd_jacobian_of_the_whole_flow()
    {
        using var flow = Flow(3, blocks: 2);
        var x = randn([5, 3], ScalarType.Float64, generator: new Generator(9));
        var (_, logDet) = flow.Transform(x);
        for (int i = 0; i < 5; i++)
        {
            var input = x[i].unsqueeze(0).clone().requires_grad_(true);
            var z = flow.forward(input);
            var jacobian = stack(Enumerable.Range(0, 3).Select(j => autograd.grad([z[0, j]], [input], retain_graph: true)[0].squeeze(0)).ToArray());
            var (_, expected) = linalg.slogdet(jacobian);
            Assert.Equal(expected.ToDouble(), logDet[i].ToDouble(), 1e-8);
        }
    }

    [Fact]
    public void A_depth_20_flow_is_numerically_healthy_in_single_precision()
    {
        // Eight Gaussians of sd 0.35 on a circle of radius 4 (the 8gaussians target's scale), a depth-20 network.
        var g = new Generator(11);
        var angles = randint(0, 8, [2000], generator: g).to_type(ScalarType.Float32).mul(Math.PI / 4);
        var data = stack([angles.cos(), angles.sin()], 1).mul(4).add(randn([2000, 2], generator: g).mul(0.35));
        using var flow = new ConvexPotentialFlow(new IcnnSpec(2, Width: 32, Depth: 20, Activation.GaussianSoftplus, Alpha: 1,
            Architecture: IcnnArchitecture.CpFlow), 1, g, ScalarType.Float32, new FlowOptions(BaseScale: 2));
        flow.InitializeFrom(data);
        var far = randn([500, 2], generator: g).mul(12); // well outside the data
        foreach (var x in new[] { data, far })
        {
            var (z, logDet) = flow.Transform(x);
            Assert.True(logDet.isfinite().all().item<bool>(), "a log-determinant is not finite");
            Assert.True(z.abs().max().ToDouble() < 1e3, $"the gradient map reaches {z.abs().max().ToDouble()}");
            var (back, residual) = flow.Inverse(z);
            Assert.True(residual < 1e-3, $"Newton's residual {residual}");
            Assert.True((back - x).abs().max().ToDouble() < 1e-2 * (1 + x.abs().max().ToDouble()));
        }
    }

    [Fact]
    public void Inverse_round_trips_and_reports_its_residual()
    {
        using var flow = Flow(4, blocks: 3);
        var x = randn([64, 4], ScalarType.Float64, generator: new Generator(2)) * 2;
        var z = flow.forward(x);
        var (back, residual) = flow.Inverse(z, tolerance: 1e-10);
        Assert.True(residual < 1e-8, $"residual {residual}");
        Assert.True((back - x).abs().max().ToDouble() < 1e-6);
    }

    [Fact]
    public void Samples_have_the_flows_distribution()
    {
        using var flow = Flow(2, blocks: 1);
        var (samples, residual) = flow.Sample(4000, new Generator(4), ScalarType.Float64);
        Assert.True(residual < 1e-4);
        // The mean of the samples against the mean of the density by quadrature.
        var grid = new QuadratureNormalizer([-30.0, -30.0], [30.0, 30.0], 300);
        var p = flow.LogDensityValues(grid.Grid(ScalarType.Float64)).Select(Math.Exp).ToArray();
        for (int j = 0; j < 2; j++)
        {
            double mean = grid.Points.Select((pt, i) => pt[j] * p[i]).Sum() * grid.CellVolume;
            double variance = grid.Points.Select((pt, i) => (pt[j] - mean) * (pt[j] - mean) * p[i]).Sum() * grid.CellVolume;
            double sampleMean = samples[.., j].mean().ToDouble();
            Assert.InRange(sampleMean, mean - 5 * Math.Sqrt(variance / 4000), mean + 5 * Math.Sqrt(variance / 4000));
        }
    }

    [Fact]
    public void A_matrix_that_is_not_positive_definite_gives_a_nan_log_determinant_not_a_crash()
    {
        var matrices = stack([eye(2, dtype: ScalarType.Float64) * 2, tensor(new[] { 1.0, 2, 2, 1 }, [2, 2], ScalarType.Float64)]);
        var logDet = ConvexPotentialFlow.LogDetSpd(matrices);
        Assert.Equal(2 * Math.Log(2), logDet[0].ToDouble(), 1e-12);
        Assert.True(double.IsNaN(logDet[1].ToDouble()));
    }
}
