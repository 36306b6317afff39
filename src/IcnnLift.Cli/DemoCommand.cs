using System.CommandLine;
using IcnnLift.Positivity;
using IcnnLift.Targets;
using IcnnLift.Training;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift demo</c>: the main job on an embedded default, no arguments needed.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var command = new Command("demo", "Compare PGD, direct softplus and the lift on the 1-D Gumbel target over a few seeds (a couple of minutes on two cores).");
        command.Options.Add(output);
        command.SetAction(p =>
        {
            Runtime.TorchRuntime.Initialize(1);
            var target = Target.Get("gumbel");
            var source = new DataSource(target.Name, target, seed => Data.Dataset.FromTarget(target, 1000, 1000, 5000, seed));
            string[] methods = [PositivityMethod.Pgd, PositivityMethod.Softplus, PositivityMethod.Lift];
            return CompareCommand.Run(source, methods, Enumerable.Range(0, 5).ToList(),
                (m, s) => new TrainConfig { Method = m, Seed = s }, Environment.ProcessorCount, p.GetValue(output)!, json: false);
        });
        return command;
    }
}
