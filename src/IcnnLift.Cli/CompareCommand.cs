using System.CommandLine;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift compare</c>: several methods x several seeds on one data set, summarised.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var common = new CommonOptions("Runs side by side, one libtorch thread each", Environment.ProcessorCount);
        var methods = new MethodsOption("pgd,softplus,lift");
        var seeds = new SeedOptions(5);
        var command = new Command("compare", "Compare positivity methods over seeds: table of medians and quartiles, paired wins, CSV/JSON and a figure.");
        command.Options.Add(methods.Option);
        var keepGoing = RunsOutput.KeepGoing();
        command.Options.Add(keepGoing);
        seeds.AddTo(command);
        common.AddTo(command);
        command.SetAction(p =>
        {
            var seedList = seeds.List(p);
            var methodList = methods.List(p);
            var (threads, source) = UserInput.Check(() => (common.ThreadCount(p), common.Source(p)));
            var output = common.Output(p, $"compare-{source.Name}");
            var outcome = ComparisonStudy.Run(CliHost.Instance, source, methodList, seedList, (m, s) => common.Config(p, m, s), threads, output,
                new ComparisonStudy.Options(p.GetValue(common.Overwrite), p.GetValue(keepGoing)));
            return RunsOutput.PrintComparison(outcome, source.Name, seedList.Count, p.GetValue(common.Json));
        });
        return command;
    }
}
