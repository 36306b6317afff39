using System.CommandLine;
using IcnnLift.Positivity;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift train</c>: one run, one run folder.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var common = new CommonOptions("libtorch threads for the run (1 is fastest for small networks)", 1);
        var method = Options.Valued<string>("--method", $"Positivity method: {string.Join(", ", PositivityMethods.Names)}", Choice.Name(PositivityMethod.Lift));
        var seed = Options.Valued<int>("--seed", "Seed of the data, the initial network and the batch order", 0);
        var command = new Command("train", "Train one log-concave density model and write its run folder (config, metrics, result, collapsed model).");
        command.Options.Add(method);
        command.Options.Add(seed);
        common.AddTo(command);
        command.SetAction(p =>
        {
            if (p.GetValue(seed) < 0) throw new InputException($"--seed must be non-negative, got {p.GetValue(seed)}");
            var (source, config, threads) = UserInput.Check(() =>
            {
                var source = common.Source(p);
                var data = source.ForSeed(p.GetValue(seed));
                var config = common.Config(p, PositivityMethods.Parse(p.GetValue(method)!), p.GetValue(seed)).Validated(data.Dimension);
                return (source, config, common.ThreadCount(p));
            });
            using var folder = OutputFolder.Claim(common.Output(p, $"{source.Name}-{config.MethodName}-seed{config.Seed}"), p.GetValue(common.Overwrite));
            var output = folder.FullPath;
            // The run trains in a child process, alone on its thread (see ProcessRunExecutor), and writes its files there.
            CliHost.Instance.Runs.RunAll($"{config.MethodName} seed {config.Seed}", [new JobSpec(config, source, folder.Staging, threads)], 1,
                ExistingRun.Claimed);
            folder.Commit();
            var r = RunFolder.LoadResult(output);
            if (p.GetValue(common.Json)) Terminal.Json(new { run_folder = output, result = r });
            else
            {
                Terminal.Table($"{r.Target}: {r.Method}, seed {r.Seed}", ["metric", "value"],
                [
                    ["test NLL (nats)", r.LogZStandardError is double se
                        ? $"{Terminal.Number(r.TestNll)} ± {Terminal.Number(se)} (importance sampling, ESS {Terminal.Number(r.EffectiveSampleSize, "F0")})"
                        : Terminal.Number(r.TestNll)],
                    ["total variation", Terminal.Number(r.TotalVariation)],
                    ["cross-entropy (nats)", Terminal.Number(r.CrossEntropy)],
                    ["best validation NLL (nats)", Terminal.Number(r.BestValidationNll)],
                    ["best step", $"{r.BestStep} of {r.StepsRun}"],
                    ["shoulder occupancy (last step)", Terminal.Number(r.FinalShoulderOccupancy, "P1")],
                    ["weights below 0.05 (best checkpoint)", Terminal.Number(r.NearZeroWeightShare, "P1")],
                    ["seconds", Terminal.Number(r.Seconds, "F1")],
                ]);
                if (r.Warning is not null) Console.Error.WriteLine($"warning: {r.Warning}");
                Terminal.Line($"run folder: {output}");
            }
            if (r.NonFinite is null) return ExitCodes.Ok;
            Console.Error.WriteLine($"stopped: {r.NonFinite}; the results in {output} are those of the best checkpoint");
            return ExitCodes.NonFinite;
        });
        return command;
    }
}
