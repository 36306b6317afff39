using System.CommandLine;
using System.Globalization;
using IcnnLift.Studies.Reproduction;

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
        var tuneRates = Options.Plain<string?>("--tune-lr",
            "Tuned protocol: comma-separated learning rates; each method runs every rate (a hypernetwork every pair with its own rate) on the "
            + "tuning seeds and is evaluated at the one with the lowest median validation NLL");
        var tuneSeeds = Options.Valued("--tune-seeds", "Comma-separated tuning seeds, none of them an evaluation seed", "1000,1001");
        foreach (var o in new Option[] { keepGoing, tuneRates, tuneSeeds }) command.Options.Add(o);
        seeds.AddTo(command);
        common.AddTo(command);
        command.SetAction(p =>
        {
            var seedList = seeds.List(p);
            var methodList = methods.List(p);
            var (threads, source) = UserInput.Check(() => (common.ThreadCount(p), common.Source(p)));
            var output = common.Output(p, $"compare-{source.Name}");
            var outcome = ComparisonStudy.Run(CliHost.Instance, source, methodList, seedList, (m, s) => common.Config(p, m, s), threads, output,
                new ComparisonStudy.Options(p.GetValue(common.Overwrite), p.GetValue(keepGoing), Tuning(p, tuneRates, tuneSeeds)));
            return RunsOutput.PrintComparison(outcome, source.Name, seedList.Count, p.GetValue(common.Json));
        });
        return command;
    }

    /// <summary>The tuned protocol's grid and seeds, or null without --tune-lr.</summary>
    private static Tuning? Tuning(ParseResult p, Option<string?> rates, Option<string> seeds) =>
        p.GetValue(rates) is { } text
            ? new Tuning([.. Options.Numbers(text, "--tune-lr", s => double.Parse(s, CultureInfo.InvariantCulture))],
                [.. Options.Numbers(p.GetValue(seeds)!, "--tune-seeds", s => int.Parse(s, CultureInfo.InvariantCulture))])
            : null;
}
