using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using IcnnLift.Data;
using IcnnLift.Studies.Mechanism;
using IcnnLift.Studies.Figures;
using IcnnLift.Positivity;
using IcnnLift.Training;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift landscape</c>: the loss on a plane through the lift's solution, in the constrained and the lifted
/// space, with both methods' trajectories (landscape.csv, trajectories.csv, landscape.json, landscape.png).</summary>
internal static class LandscapeCommand
{
    public static Command Create()
    {
        var defaults = new LandscapeOptions();
        var common = new CommonOptions("libtorch threads of this process", 1);
        var other = new Option<string>("--other") { Description = "The method whose solution the first direction points to", DefaultValueFactory = _ => defaults.Other };
        var seed = new Option<int>("--seed") { Description = "Seed of both runs (same network, initial weights and batches)", DefaultValueFactory = _ => 0 };
        var resolution = new Option<int>("--resolution") { Description = "Grid points a side", DefaultValueFactory = _ => defaults.Resolution };
        var alphaRange = new Option<string>("--alpha-range") { Description = "low,high of alpha (0: the lift, 1: the other method)", DefaultValueFactory = _ => FormattableString.Invariant($"{defaults.AlphaLow},{defaults.AlphaHigh}") };
        var betaRange = new Option<string>("--beta-range") { Description = "low,high of beta (the random direction)", DefaultValueFactory = _ => FormattableString.Invariant($"{defaults.BetaLow},{defaults.BetaHigh}") };
        var every = new Option<int>("--trajectory-every") { Description = "Iterations between trajectory points", DefaultValueFactory = _ => defaults.TrajectoryEvery };
        var planeSeed = new Option<int>("--plane-seed") { Description = "Seed of the random direction", DefaultValueFactory = _ => defaults.PlaneSeed };
        var command = new Command("landscape", "Loss-landscape slices through the lift's solution, in the constrained space (W) and the lifted space (phi, b), with the training trajectories.");
        foreach (var o in new Option[] { other, seed, resolution, alphaRange, betaRange, every, planeSeed }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(p =>
        {
            var (alphaLow, alphaHigh) = Pair(p.GetValue(alphaRange)!, "--alpha-range");
            var (betaLow, betaHigh) = Pair(p.GetValue(betaRange)!, "--beta-range");
            var options = UserInput.Check(() => new LandscapeOptions(PositivityMethod.Validate(p.GetValue(other)!), p.GetValue(resolution), alphaLow, alphaHigh,
                betaLow, betaHigh, p.GetValue(every), p.GetValue(planeSeed)).Validated());
            var (threads, source) = UserInput.Check(() => (common.ThreadCount(p), common.Source(p)));
            var data = UserInput.Check(() => source.ForSeed(p.GetValue(seed)));
            var config = UserInput.Check(() => common.Config(p, PositivityMethod.Lift, p.GetValue(seed)).Validated(data.Dimension));
            using var folder = OutputFolder.Claim(common.Output(p, $"landscape-{source.Name}"), p.GetValue(common.Overwrite));
            var output = folder.FullPath;
            Runtime.TorchRuntime.Initialize(threads);
            var both = Produce(folder, source, data, config, options);
            if (p.GetValue(common.Json))
            {
                Terminal.Json(new { folder = output, panels = both.Select(Summary) });
                return ExitCodes.Ok;
            }
            Terminal.Table($"{source.Name}: training NLL on the plane (origin: lift's final iterate; alpha = 1: {options.Other}'s)",
                ["space", "lift (origin)", options.Other, "grid minimum", "at (alpha, beta)", "not finite", "points/s"],
                both.Select(Summary).Select(s => new[] { s.Space, Terminal.Number(s.LiftLoss), Terminal.Number(s.OtherLoss), Terminal.Number(s.GridMinimum),
                    FormattableString.Invariant($"({s.MinimumAlpha:F2}, {s.MinimumBeta:F2})"), s.NotFinite.ToString(CultureInfo.InvariantCulture), Terminal.Number(s.PointsPerSecond, "F0") }));
            Terminal.Line($"results: {output} (landscape.png, landscape.csv, trajectories.csv, landscape.json)");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Trains both runs, evaluates both planes and writes landscape.csv, trajectories.csv, landscape.json and
    /// landscape.png into <paramref name="output"/>, then commits it; under a progress bar drawn from this thread.</summary>
    public static LandscapePanel[] Produce(OutputFolder output, DataSource source, Dataset data, TrainConfig config, LandscapeOptions options)
    {
        LandscapePanel[] both = [];
        Terminal.WithProgressOnThisThread($"{source.Name}: landscape of lift vs {options.Other}", LandscapeExperiment.Work(config, options), advance =>
        {
            var (constrained, lifted) = UserInput.Check(() => LandscapeExperiment.Run(config, data, source.Target, options, advance));
            both = [constrained, lifted];
        });
        var folder = output.Staging;
        using (var w = new StreamWriter(Path.Combine(folder, "landscape.csv")))
        {
            w.WriteLine("space,alpha,beta,loss,finite,on_cone");
            foreach (var panel in both)
                for (int i = 0; i < panel.Grid.Alphas.Length; i++)
                    for (int j = 0; j < panel.Grid.Betas.Length; j++)
                    {
                        double v = panel.Grid.Values[i, j];
                        w.WriteLine(string.Join(",", panel.Space, R(panel.Grid.Alphas[i]), R(panel.Grid.Betas[j]), R(v), double.IsFinite(v) ? "1" : "0",
                            panel.Feasible is { } f ? (f[i, j] ? "1" : "0") : ""));
                    }
        }
        using (var w = new StreamWriter(Path.Combine(folder, "trajectories.csv")))
        {
            w.WriteLine("space,method,step,alpha,beta,loss");
            foreach (var panel in both)
                foreach (var t in panel.Trajectories)
                    for (int k = 0; k < t.Steps.Length; k++)
                        w.WriteLine(string.Join(",", panel.Space, t.Method, t.Steps[k].ToString(CultureInfo.InvariantCulture), R(t.Alphas[k]), R(t.Betas[k]), R(t.Losses[k])));
        }
        File.WriteAllText(Path.Combine(folder, "landscape.json"), JsonSerializer.Serialize(new
        {
            data = source, config, options,
            panels = both.Select(Summary),
        }, RunFolder.Json));
        LandscapeFigure.Save(Path.Combine(folder, "landscape.png"), both, source.Name);
        output.Commit();
        return both;
    }

    private sealed record PanelSummary(string Space, double LiftLoss, double OtherLoss, double GridMinimum, double MinimumAlpha, double MinimumBeta,
        int NotFinite, double? OffConeFraction, double DirectionLength, double PointsPerSecond);

    private static PanelSummary Summary(LandscapePanel panel)
    {
        var g = panel.Grid;
        var cells = Enumerable.Range(0, g.Alphas.Length).SelectMany(i => Enumerable.Range(0, g.Betas.Length).Select(j => (i, j, v: g.Values[i, j]))).ToList();
        var best = cells.Where(c => double.IsFinite(c.v)).DefaultIfEmpty((i: 0, j: 0, v: double.NaN)).MinBy(c => c.v);
        return new PanelSummary(panel.Space, panel.Trajectories[0].Losses[^1], panel.Trajectories[^1].Losses[^1], best.v, g.Alphas[best.i], g.Betas[best.j],
            cells.Count(c => !double.IsFinite(c.v)), panel.Feasible is { } f ? cells.Count(c => !f[c.i, c.j]) / (double)cells.Count : null,
            panel.DirectionLength, g.PointsPerSecond);
    }

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static (double, double) Pair(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double low)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double high))
            throw new InputException($"{option}: expected two numbers 'low,high', got '{text}'");
        return (low, high);
    }
}
