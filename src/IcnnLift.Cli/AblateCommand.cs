using System.CommandLine;
using System.Globalization;
using IcnnLift.Data;
using IcnnLift.Studies.Figures;
using IcnnLift.Positivity;
using IcnnLift.Training;
using MathNet.Numerics.Statistics;

namespace IcnnLift.Cli;

/// <summary>
/// <c>icnn-lift ablate</c>: the four-architecture ablation of the lift's ingredients (direct softplus, softplus +
/// bias, lift without bias, full lift), a comparison whose extra output is the time-averaged slack-channel
/// cross-covariance of each: ablation.csv and ablation.png (bars on a log axis, structural zeros at the floor).
/// </summary>
internal static class AblateCommand
{
    public static readonly string[] Architectures = [PositivityMethod.Softplus, PositivityMethod.SoftplusBias, PositivityMethod.LiftNoBias, PositivityMethod.Lift];

    public static Command Create()
    {
        var common = new CommonOptions("Runs side by side, one libtorch thread each", Environment.ProcessorCount);
        var seeds = new SeedOptions(5);
        var command = new Command("ablate", "The four-architecture ablation (softplus, softplus-bias, lift-nobias, lift): the comparison plus the time-averaged slack-channel cross-covariance of each.");
        seeds.AddTo(command);
        command.Options.Add(CompareCommand.KeepGoing);
        common.AddTo(command);
        command.SetAction(p =>
        {
            var seedList = seeds.List(p);
            int window = p.GetValue(common.CrossCovarianceWindow), every = p.GetValue(common.CrossCovarianceEvery), steps = p.GetValue(common.Steps);
            if (window == 0) throw new InputException("--crosscov-window 0 turns off the cross-covariance the ablation reports");
            if (every > 0 && steps / every * every < window)
                throw new InputException($"--steps {steps} gives no cross-covariance reading (the first comes at the first multiple of --crosscov-every {every} from --crosscov-window {window} on)");
            var (threads, source) = UserInput.Check(() => (common.ThreadCount(p), common.Source(p)));
            var output = common.Output(p, $"ablate-{source.Name}");
            var readings = new List<(string, IReadOnlyList<double>)>();
            int code = CompareCommand.Run(source, Architectures, seedList, (m, s) => common.Config(p, m, s), threads, output, p.GetValue(common.Json),
                new CompareCommand.RunOptions(p.GetValue(common.Overwrite), p.GetValue(CompareCommand.KeepGoing)),
                (folder, results) =>
                {
                    readings.AddRange(Architectures.Select(a => (a, (IReadOnlyList<double>)results.Where(r => r.Method == a).Select(r => r.MeanCrossCovariance ?? double.NaN).ToList())));
                    using (var w = new StreamWriter(Path.Combine(folder, "ablation.csv")))
                    {
                        w.WriteLine("architecture,seed,mean_cross_covariance");
                        foreach (var r in results)
                            w.WriteLine(string.Join(",", r.Method, r.Seed.ToString(CultureInfo.InvariantCulture), (r.MeanCrossCovariance ?? double.NaN).ToString("R", CultureInfo.InvariantCulture)));
                    }
                    AblationFigure.Save(Path.Combine(folder, "ablation.png"), readings, $"{source.Name}: slack-channel cross-covariance, {seedList.Count} seeds");
                });
            if (!p.GetValue(common.Json))
                Terminal.Table("time-averaged ||Sigma||_F of the slack-channel cross-covariance",
                    ["architecture", "median", "min", "max", "seeds at exactly 0"],
                    readings.Select(r => new[] { r.Item1, Terminal.Number(Statistics.Median(r.Item2), "G4"), Terminal.Number(r.Item2.Min(), "G4"), Terminal.Number(r.Item2.Max(), "G4"),
                        r.Item2.Count(v => v == 0).ToString(CultureInfo.InvariantCulture) }));
            return code;
        });
        return command;
    }
}
