using System.CommandLine;
using IcnnLift.Positivity;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift demo</c>: the main job on an embedded default, no arguments needed.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = Options.Plain<string?>("--out", "Output folder, created by the command (default: runs/demo, or runs/demo-2, ...)");
        var overwrite = Options.Plain<bool>("--overwrite", "Replace --out if it is a folder icnn-lift wrote");
        var command = new Command("demo", "Compare PGD, direct softplus and the lift on the 1-D Gumbel target over 6 seeds (about a minute on two cores).");
        command.Options.Add(output);
        command.Options.Add(overwrite);
        command.SetAction(p =>
        {
            var folder = OutputFolder.Check(p.GetValue(output) ?? OutputFolder.NextFree(Path.Combine("runs", "demo")), p.GetValue(overwrite));
            Runtime.TorchRuntime.Initialize(1);
            var source = new DataSource("gumbel", File: null);
            PositivityMethod[] methods = [PositivityMethod.Pgd, PositivityMethod.Softplus, PositivityMethod.Lift];
            var outcome = ComparisonStudy.Run(CliHost.Instance, source, methods, Enumerable.Range(0, 6).ToList(),
                (m, s) => new TrainConfig { Method = m, Seed = s }, Environment.ProcessorCount, folder, new ComparisonStudy.Options(p.GetValue(overwrite)));
            return RunsOutput.PrintComparison(outcome, source.Name, 6, json: false);
        });
        return command;
    }
}
