using System.CommandLine;
using System.Globalization;
using IcnnLift.Studies.Mechanism;
using MathNet.Numerics.Statistics;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift ablate</c>: the five-architecture ablation (<see cref="Ablation"/>): a comparison plus ablation.csv and
/// ablation.png, and a table of the time-averaged slack-channel cross-covariance of each architecture.</summary>
internal static class AblateCommand
{
    public static Command Create()
    {
        var common = new CommonOptions("Runs side by side, one libtorch thread each", Environment.ProcessorCount);
        var seeds = new SeedOptions(5);
        var keepGoing = RunsOutput.KeepGoing();
        var command = new Command("ablate",
            "The five-architecture ablation (softplus, softplus-bias, lift-nobias, lift-fixed, lift): the comparison plus the time-averaged slack-channel "
            + "cross-covariance of each.");
        seeds.AddTo(command);
        command.Options.Add(keepGoing);
        common.AddTo(command);
        command.SetAction(p =>
        {
            var seedList = seeds.List(p);
            int window = p.GetValue(common.CrossCovarianceWindow), every = p.GetValue(common.CrossCovarianceEvery), steps = p.GetValue(common.Steps);
            if (window == 0) throw new InputException("--crosscov-window 0 turns off the cross-covariance the ablation reports");
            if (every > 0 && steps / every * every < window)
                throw new InputException($"--steps {steps} gives no cross-covariance reading (the first comes at the first multiple of "
                    + $"--crosscov-every {every} from --crosscov-window {window} on)");
            var (threads, source) = UserInput.Check(() => (common.ThreadCount(p), common.Source(p)));
            var output = common.Output(p, $"ablate-{source.Name}");
            var outcome = ComparisonStudy.Run(CliHost.Instance, source, Ablation.Architectures, seedList, (m, s) => common.Config(p, m, s), threads, output,
                new ComparisonStudy.Options(p.GetValue(common.Overwrite), p.GetValue(keepGoing)),
                (folder, results) => Ablation.Write(folder, results, $"{source.Name}: slack-channel cross-covariance, {seedList.Count} seeds"));
            int code = RunsOutput.PrintComparison(outcome, source.Name, seedList.Count, p.GetValue(common.Json));
            if (!p.GetValue(common.Json))
                Terminal.Table("time-averaged ||Sigma||_F of the slack-channel cross-covariance",
                    ["architecture", "median", "min", "max", "seeds at exactly 0"],
                    Ablation.Readings(outcome.Results).Select(r => new[] { r.Architecture, Terminal.Number(Statistics.Median(r.Readings), "G4"),
                        Terminal.Number(r.Readings.Min(), "G4"), Terminal.Number(r.Readings.Max(), "G4"),
                        r.Readings.Count(v => v == 0).ToString(CultureInfo.InvariantCulture) }));
            return code;
        });
        return command;
    }
}
