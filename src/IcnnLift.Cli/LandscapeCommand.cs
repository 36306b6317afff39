using System.CommandLine;
using System.Globalization;
using IcnnLift.Studies.Mechanism;
using IcnnLift.Positivity;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift landscape</c>: the loss on a plane through the lift's solution, in the constrained and the lifted
/// space, with both methods' trajectories (landscape.csv, trajectories.csv, landscape.json, landscape.png).</summary>
internal static class LandscapeCommand
{
    public static Command Create()
    {
        var defaults = new LandscapeOptions();
        var common = new CommonOptions("libtorch threads of this process", 1);
        var other = Options.Valued<string>("--other", "The method whose solution the first direction points to", Choice.Name(defaults.Other));
        var seed = Options.Valued<int>("--seed", "Seed of both runs (same network, initial weights and batches)", 0);
        var resolution = Options.Valued<int>("--resolution", "Grid points a side", defaults.Resolution);
        var alphaRange = Options.Valued<string>("--alpha-range",
            "low,high of alpha (0: the lift, 1: the other method)", FormattableString.Invariant($"{defaults.AlphaLow},{defaults.AlphaHigh}"));
        var betaRange = Options.Valued<string>("--beta-range",
            "low,high of beta (the random direction)", FormattableString.Invariant($"{defaults.BetaLow},{defaults.BetaHigh}"));
        var every = Options.Valued<int>("--trajectory-every", "Iterations between trajectory points", defaults.TrajectoryEvery);
        var planeSeed = Options.Valued<int>("--plane-seed", "Seed of the random direction", defaults.PlaneSeed);
        var command = new Command("landscape",
            "Loss-landscape slices through the lift's solution, in the constrained space (W) and the lifted space (phi, b), with the training "
            + "trajectories.");
        foreach (var o in new Option[] { other, seed, resolution, alphaRange, betaRange, every, planeSeed }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(p =>
        {
            var (alphaLow, alphaHigh) = Pair(p.GetValue(alphaRange)!, "--alpha-range");
            var (betaLow, betaHigh) = Pair(p.GetValue(betaRange)!, "--beta-range");
            var options = UserInput.Check(() => new LandscapeOptions(PositivityMethods.Parse(p.GetValue(other)!), p.GetValue(resolution), alphaLow, alphaHigh,
                betaLow, betaHigh, p.GetValue(every), p.GetValue(planeSeed)).Validated());
            var (threads, source) = UserInput.Check(() => (common.ThreadCount(p), common.Source(p)));
            var data = UserInput.Check(() => source.ForSeed(p.GetValue(seed)));
            var config = UserInput.Check(() => common.Config(p, PositivityMethod.Lift, p.GetValue(seed)).Validated(data.Dimension));
            using var folder = OutputFolder.Claim(common.Output(p, $"landscape-{source.Name}"), p.GetValue(common.Overwrite));
            var output = folder.FullPath;
            Runtime.TorchRuntime.Initialize(threads, config.Device);
            var both = LandscapeStudy.Produce(CliHost.Instance, folder, source, data, config, options);
            if (p.GetValue(common.Json)) return Terminal.Json(new { folder = output, panels = both.Select(LandscapeStudy.Summary) }, ExitCodes.Ok);
            Terminal.Table($"{source.Name}: training NLL on the plane (origin: lift's final iterate; alpha = 1: {Choice.Name(options.Other)}'s)",
                ["space", "lift (origin)", Choice.Name(options.Other), "grid minimum", "at (alpha, beta)", "not finite", "points/s"],
                both.Select(LandscapeStudy.Summary).Select(s => new[]
                {
                    s.Space, Terminal.Number(s.LiftLoss), Terminal.Number(s.OtherLoss), Terminal.Number(s.GridMinimum),
                    FormattableString.Invariant($"({s.MinimumAlpha:F2}, {s.MinimumBeta:F2})"), s.NotFinite.ToString(CultureInfo.InvariantCulture),
                    Terminal.Number(s.PointsPerSecond, "F0"),
                }));
            Terminal.Line($"results: {output} (landscape.png, landscape.csv, trajectories.csv, landscape.json)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static (double, double) Pair(string text, string option) =>
        Options.Numbers(text, option, s => double.Parse(s, CultureInfo.InvariantCulture)) is [var low, var high]
            ? (low, high)
            : throw new InputException($"{option}: expected two numbers 'low,high', got '{text}'");
}
