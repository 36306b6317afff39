using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Diagnostics;
using IcnnLift.Positivity;
using IcnnLift.Runtime;
using IcnnLift.Targets;
using IcnnLift.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Studies.Mechanism;

/// <summary>Settings of a landscape pair; the grid is Resolution x Resolution over the two ranges.</summary>
/// <param name="Other">The method whose solution the first direction points to (alpha = 1).</param>
/// <param name="TrajectoryEvery">Iterations between recorded trajectory points (the first and last are always recorded).</param>
/// <param name="PlaneSeed">Seed of the plane's random direction.</param>
public sealed record LandscapeOptions(PositivityMethod Other = PositivityMethod.Softplus, int Resolution = 31, double AlphaLow = -0.5, double AlphaHigh = 1.5,
    double BetaLow = -1, double BetaHigh = 1, int TrajectoryEvery = 20, int PlaneSeed = 0)
{
    public LandscapeOptions Validated()
    {
        if (Other == PositivityMethod.Lift) throw new ArgumentException("--other must be another method than the lift");
        if (Resolution < 2) throw new ArgumentException($"--resolution must be at least 2, got {Resolution}");
        if (!(AlphaLow < AlphaHigh) || !double.IsFinite(AlphaLow) || !double.IsFinite(AlphaHigh))
            throw new ArgumentException($"--alpha-range must be two finite numbers, low < high, got {AlphaLow},{AlphaHigh}");
        if (!(BetaLow < BetaHigh) || !double.IsFinite(BetaLow) || !double.IsFinite(BetaHigh))
            throw new ArgumentException($"--beta-range must be two finite numbers, low < high, got {BetaLow},{BetaHigh}");
        if (TrajectoryEvery < 1) throw new ArgumentException($"--trajectory-every must be positive, got {TrajectoryEvery}");
        return this;
    }
}

/// <summary>A training trajectory seen in a plane: per recorded step, its coordinates and the loss at the point itself.</summary>
public sealed record PlaneTrajectory(string Method, int[] Steps, double[] Alphas, double[] Betas, double[] Losses);

/// <summary>One panel: the loss over the plane of one space, the trajectories projected onto it and, in the
/// constrained space, which grid points keep every W non-negative (off the cone the network is not convex).</summary>
public sealed record LandscapePanel(string Space, LandscapeGrid Grid, IReadOnlyList<PlaneTrajectory> Trajectories, bool[,]? Feasible, double DirectionLength);

/// <summary>
/// The loss-landscape pair of DESIGN section 1. The lift and another method train on the same seed (same
/// network, initial weights and batches); the origin is the lift's final iterate. Constrained space: the
/// free parameters and W; the first direction points to the other method's final iterate. Lifted space:
/// the free parameters, phi and b; the first direction points to the other method's final iterate embedded
/// in it (its free parameters, the lift's final phi, and the b that makes the lift's collapsed weights equal
/// the other method's W: b = softplus^-1(max(W, 1e-6)) - h_phi(X_ref)), so alpha = 1 is the same network in
/// both panels. The other method's trajectory is embedded the same way. The loss is the training NLL.
/// </summary>
public static class LandscapeExperiment
{
    /// <summary>Smallest weight the embedding of a solution into the lifted space inverts (PGD's exact zeros have no softplus preimage).</summary>
    public const double EmbeddingFloor = 1e-6;

    public static (LandscapePanel Constrained, LandscapePanel Lifted) Run(TrainConfig config, Dataset data, Target? target, LandscapeOptions options,
        Action<double>? advance = null)
    {
        options.Validated();
        if (config.Method != PositivityMethod.Lift)
            throw new ArgumentException($"the landscape's origin is the lift's solution: --method must be lift, got {config.MethodName}");
        // Recorded points are taken out of the runs' dispose scopes and freed here.
        var other = new List<(int Step, Tensor Point)>();
        var lift = new List<(int Step, Tensor Constrained, Tensor Lifted)>();
        try
        {
            return Run(config, data, target, options, advance, other, lift);
        }
        finally
        {
            foreach (var q in other) q.Point.Dispose();
            foreach (var q in lift) { q.Constrained.Dispose(); q.Lifted.Dispose(); }
        }
    }

    private static (LandscapePanel, LandscapePanel) Run(TrainConfig config, Dataset data, Target? target, LandscapeOptions options, Action<double>? advance,
        List<(int Step, Tensor Point)> other, List<(int Step, Tensor Constrained, Tensor Lifted)> lift)
    {
        // The other method's trajectory in the constrained space.
        int steps = config.Steps;
        var otherRun = Trainer.Train(config with { Method = options.Other }, data, target, p =>
        {
            if (p.Step > 0) advance?.Invoke(1);
            if (Recorded(p.Step, steps, options.TrajectoryEvery))
                other.Add((p.Step, ParameterSpace.Constrained(p.Model, p.Reference).Read().DetachFromDisposeScope()));
        });
        otherRun.Model.Module.Dispose();
        if (other[^1].Step != steps)
            throw new ArgumentException($"the {Choice.Name(options.Other)} run stopped at step {other[^1].Step}: {otherRun.Result.Stopped}");

        (LandscapePanel, LandscapePanel)? panels = null;
        ParameterSpace? constrained = null, lifted = null;
        var liftRun = Trainer.Train(config, data, target, p =>
        {
            if (p.Step > 0) advance?.Invoke(1);
            constrained ??= ParameterSpace.Constrained(p.Model, p.Reference);
            lifted ??= ParameterSpace.Lifted(p.Model, p.Reference);
            if (Recorded(p.Step, steps, options.TrajectoryEvery))
                lift.Add((p.Step, constrained.Read().DetachFromDisposeScope(), lifted.Read().DetachFromDisposeScope()));
            if (p.Step == steps) panels = Evaluate(p, constrained, lifted, lift, other, options, advance);
        });
        liftRun.Model.Module.Dispose();
        return panels ?? throw new ArgumentException($"the lift's run stopped at step {liftRun.Result.StepsRun}: {liftRun.Result.Stopped}");
    }

    /// <summary>Units of work <see cref="Run"/> reports: the two runs' steps and the two grids' points.</summary>
    public static double Work(TrainConfig config, LandscapeOptions options) => 2.0 * config.Steps + 2.0 * options.Resolution * options.Resolution;

    private static bool Recorded(int step, int steps, int every) => step % every == 0 || step == steps;

    private static (LandscapePanel, LandscapePanel) Evaluate(TrainingProgress p, ParameterSpace constrained, ParameterSpace lifted,
        List<(int Step, Tensor Constrained, Tensor Lifted)> lift, List<(int Step, Tensor Point)> other, LandscapeOptions options, Action<double>? advance)
    {
        var generator = TorchRuntime.NewGenerator((ulong)options.PlaneSeed);
        var alphas = LossLandscape.Range(options.AlphaLow, options.AlphaHigh, options.Resolution);
        var betas = LossLandscape.Range(options.BetaLow, options.BetaHigh, options.Resolution);
        double Loss()
        {
            p.Density.Refit();
            return p.Density.NllValue(p.Train);
        }
        double LossAt(ParameterSpace space, Tensor point)
        {
            space.Write(point);
            return Loss();
        }
        PlaneTrajectory Project(PositivityMethod method, LandscapePlane plane, ParameterSpace space, IReadOnlyList<(int Step, Tensor Point)> points)
        {
            var coordinates = points.Select(q => plane.Project(q.Point)).ToArray();
            return new PlaneTrajectory(Choice.Name(method), points.Select(q => q.Step).ToArray(), coordinates.Select(c => c.Alpha).ToArray(),
                coordinates.Select(c => c.Beta).ToArray(), points.Select(q => LossAt(space, q.Point)).ToArray());
        }

        // Constrained space.
        var cPlane = LandscapePlane.Through(lift[^1].Constrained, other[^1].Point, constrained.Blocks, generator);
        var cGrid = LossLandscape.Evaluate(constrained, cPlane, Loss, alphas, betas, () => advance?.Invoke(betas.Length));
        long weightsStart = constrained.Size - p.Model.Strategy.Count;
        var feasible = new bool[alphas.Length, betas.Length];
        for (int i = 0; i < alphas.Length; i++)
            for (int j = 0; j < betas.Length; j++)
                using (NewDisposeScope())
                    feasible[i, j] = cPlane.At(alphas[i], betas[j]).narrow(0, weightsStart, p.Model.Strategy.Count).min().ToDouble() >= 0;
        var cTrajectories = new[]
        {
            Project(PositivityMethod.Lift, cPlane, constrained, lift.Select(q => (q.Step, q.Constrained)).ToList()),
            Project(options.Other, cPlane, constrained, other),
        };

        // Lifted space: the other method's points embedded through the lift's final body.
        var origin = lift[^1].Lifted;
        lifted.Write(origin);
        var slack = lifted.Blocks.Select((b, i) => (b, i)).Single(x => x.b.Name == "strategy.b");
        long slackStart = lifted.Blocks.Take(slack.i).Sum(b => b.Size);
        Tensor body;
        using (no_grad()) body = ((SoftplusReadout)p.Model.Strategy).Body(p.Reference)!.to_type(ScalarType.Float64);
        long freeSize = weightsStart;
        Tensor Embed(Tensor constrainedPoint)
        {
            var point = origin.clone();
            point.narrow(0, 0, freeSize).copy_(constrainedPoint.narrow(0, 0, freeSize));
            var w = constrainedPoint.narrow(0, weightsStart, p.Model.Strategy.Count).clamp_min(EmbeddingFloor);
            point.narrow(0, slackStart, slack.b.Size).copy_(PositivityStrategy.InverseSoftplus(w) - body);
            return point;
        }
        var embedded = other.Select(q => (q.Step, Embed(q.Point))).ToList();
        var lPlane = LandscapePlane.Through(origin, embedded[^1].Item2, lifted.Blocks, generator);
        var lGrid = LossLandscape.Evaluate(lifted, lPlane, Loss, alphas, betas, () => advance?.Invoke(betas.Length));
        var lTrajectories = new[]
        {
            Project(PositivityMethod.Lift, lPlane, lifted, lift.Select(q => (q.Step, q.Lifted)).ToList()),
            Project(options.Other, lPlane, lifted, embedded),
        };
        lifted.Write(origin);
        return (new LandscapePanel("constrained", cGrid, cTrajectories, feasible, cPlane.Toward.norm().ToDouble()),
                new LandscapePanel("lifted", lGrid, lTrajectories, null, lPlane.Toward.norm().ToDouble()));
    }
}
