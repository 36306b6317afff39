using System.CommandLine;
using System.Globalization;
using IcnnLift.Diagnostics;
using IcnnLift.Studies.Mechanism;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift sde</c>: the escape fraction of the one-coordinate bias-channel SDE against its noise level
/// and budget (sde.csv, sde.json, sde.png).</summary>
internal static class SdeCommand
{
    public static Command Create()
    {
        var defaults = new EscapeSdeOptions();
        var noise = Options.Valued<string>("--noise",
            "Comma-separated body noise levels s_jac (0 is direct softplus)",
            string.Join(",", EscapeStudy.DefaultNoise.Select(v => v.ToString(CultureInfo.InvariantCulture))));
        var budgets = Options.Valued<string>("--budgets", "Comma-separated budgets in iterations (the largest is simulated)", "1000,5000,20000");
        var paths = Options.Valued<int>("--paths", "Paths per noise level", defaults.Paths);
        var start = Options.Valued<double>("--start", "Starting pre-readout level (in the shoulder)", defaults.Start);
        var lr = Options.Valued<double>("--lr", "Step size eta of the drift", defaults.LearningRate);
        var weight = Options.Valued<double>("--target-weight", "w*, the weight the coordinate's loss pulls toward", defaults.TargetWeight);
        var gradientNoise = Options.Valued<double>("--gradient-noise",
            "Mini-batch gradient noise, attenuated by psi' like the gradient", defaults.GradientNoise);
        var shoulder = Options.Valued<double>("--shoulder", "Shoulder level sigma_s", defaults.ShoulderSigma);
        var seed = Options.Valued<int>("--seed", "Seed", 0);
        var output = Options.Plain<string?>("--out", "Output folder, created by the command (default: runs/sde, or runs/sde-2, ...)");
        var overwrite = Options.Plain<bool>("--overwrite", "Replace --out if it is a folder icnn-lift wrote");
        var json = Options.Plain<bool>("--json", "Print the results as JSON on stdout");
        var command = new Command("sde",
            "Escape from the softplus shoulder in the one-coordinate bias-channel SDE: escape fraction against noise level and budget.");
        foreach (var o in new Option[] { noise, budgets, paths, start, lr, weight, gradientNoise, shoulder, seed, output, overwrite, json })
            command.Options.Add(o);
        command.SetAction(p =>
        {
            var levels = Options.Numbers(p.GetValue(noise)!, "--noise", s => double.Parse(s, CultureInfo.InvariantCulture));
            if (levels.Any(v => !(v >= 0) || double.IsInfinity(v))) throw new InputException("--noise: levels must be non-negative numbers");
            var budgetList = Options.Numbers(p.GetValue(budgets)!, "--budgets", s => int.Parse(s, CultureInfo.InvariantCulture)).Distinct().Order().ToList();
            if (budgetList[0] < 1) throw new InputException("--budgets: budgets must be positive");
            var options = UserInput.Check(() => new EscapeSdeOptions(p.GetValue(start), p.GetValue(lr), p.GetValue(weight), p.GetValue(gradientNoise),
                p.GetValue(shoulder), p.GetValue(paths), budgetList[^1]).Validated());
            using var folder = OutputFolder.Claim(p.GetValue(output) ?? OutputFolder.NextFree(Path.Combine("runs", "sde")), p.GetValue(overwrite));
            var outputPath = folder.FullPath;
            Runtime.TorchRuntime.Initialize(1);
            var (passages, rows) = EscapeStudy.Produce(CliHost.Instance, folder, options, levels, budgetList, p.GetValue(seed));
            if (p.GetValue(json)) return Terminal.Json(new { folder = outputPath, rows }, ExitCodes.Ok);
            Terminal.Table(FormattableString.Invariant($"fraction of {options.Paths} paths that left the shoulder (start t = {options.Start}; ")
                + FormattableString.Invariant($"noise-free escape needs about {options.NoiseFreeEscapeSteps:N0} iterations)"),
                ["noise", .. budgetList.Select(b => $"within {b:N0}")],
                levels.Select((level, i) => new[] { level.ToString(CultureInfo.InvariantCulture) }
                    .Concat(budgetList.Select(b => Terminal.Number(EscapeSde.EscapeFraction(passages[i], b), "F3"))).ToArray()));
            Terminal.Line($"results: {outputPath} (sde.csv, sde.json, sde.png)");
            return ExitCodes.Ok;
        });
        return command;
    }
}
