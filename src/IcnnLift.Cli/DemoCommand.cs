using System.CommandLine;
using IcnnLift.Positivity;
using IcnnLift.Training;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift demo</c>: the main job on an embedded default, no arguments needed.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var command = new Command("demo", "Compare PGD, direct softplus and the lift on the 1-D Gumbel target over 6 seeds (about a minute on two cores).");
        command.Options.Add(output);
        command.SetAction(p =>
        {
            Runtime.TorchRuntime.Initialize(1);
            var source = new DataSource("gumbel", File: null);
            string[] methods = [PositivityMethod.Pgd, PositivityMethod.Softplus, PositivityMethod.Lift];
            return CompareCommand.Run(source, methods, Enumerable.Range(0, 6).ToList(),
                (m, s) => new TrainConfig { Method = m, Seed = s }, Environment.ProcessorCount, p.GetValue(output)!, json: false);
        });
        return command;
    }
}
