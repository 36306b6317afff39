using IcnnLift.Data;
using IcnnLift.Diagnostics;
using IcnnLift.Studies.Mechanism;
using IcnnLift.Positivity;
using IcnnLift.Targets;
using IcnnLift.Tests.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Diagnostics;

public class LossLandscapeTests
{
    [Fact]
    public void The_plane_has_orthogonal_axes_of_equal_length_and_projects_its_own_points_back()
    {
        var g = new Generator(2);
        var origin = randn(50, ScalarType.Float64, generator: g);
        var other = origin + randn(50, ScalarType.Float64, generator: g);
        var plane = LandscapePlane.Through(origin, other, [("a", 20), ("b", 30)], new Generator(0));
        Assert.Equal(0, plane.Toward.dot(plane.Random).ToDouble(), 1e-9);
        Assert.Equal(plane.Toward.norm().ToDouble(), plane.Random.norm().ToDouble(), 1e-9);
        Assert.Equal(0, (plane.At(1, 0) - other).abs().max().ToDouble(), 1e-12);
        var (alpha, beta) = plane.Project(plane.At(0.3, -0.7));
        Assert.Equal(0.3, alpha, 1e-9);
        Assert.Equal(-0.7, beta, 1e-9);
        Assert.Throws<ArgumentException>(() => LandscapePlane.Through(origin, origin, [("a", 50)], g));
    }

    [Fact]
    public void The_grid_passes_through_both_solutions_in_both_spaces_and_the_runs_share_their_start()
    {
        var target = Target.Get("gumbel");
        // Head scale 0: the exact fair start, so both runs begin at the same weights.
        var config = TrainerTests.Small(PositivityMethod.Lift, steps: 40) with { Lift = new LiftOptions(EncoderWidth: 8, DecoderWidth: 8, HeadScale: 0) };
        var options = new LandscapeOptions(Resolution: 3, AlphaLow: 0, AlphaHigh: 1, TrajectoryEvery: 10);
        var (constrained, lifted) = LandscapeExperiment.Run(config, Dataset.FromTarget(target, 300, 100, 100, 0), target, options);
        foreach (var panel in new[] { constrained, lifted })
        {
            var (lift, other) = (panel.Trajectories[0], panel.Trajectories[1]);
            Assert.Equal([0, 10, 20, 30, 40], lift.Steps);
            Assert.Equal(lift.Losses[^1], panel.Grid.Values[0, 1], 1e-5);  // (0, 0): the lift's final iterate
            Assert.Equal(other.Losses[^1], panel.Grid.Values[2, 1], 1e-4); // (1, 0): the other method's
            Assert.Equal(0, lift.Alphas[^1], 1e-9);
            Assert.Equal(1, other.Alphas[^1], 1e-9);
            Assert.All(panel.Grid.Values.Cast<double>(), v => Assert.True(double.IsFinite(v)));
        }
        // Same seed, same start: in the constrained space both trajectories begin at the same point.
        Assert.Equal(constrained.Trajectories[0].Alphas[0], constrained.Trajectories[1].Alphas[0], 1e-6);
        Assert.Equal(constrained.Trajectories[0].Losses[0], constrained.Trajectories[1].Losses[0], 1e-6);
        Assert.True(constrained.Feasible![0, 1]);
    }
}
