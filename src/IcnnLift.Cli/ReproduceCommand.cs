using System.CommandLine;
using System.Globalization;
using IcnnLift.Studies.Reproduction;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift reproduce NAME</c>: one claim of the paper as a resumable, shardable sweep; <c>--list</c> lists them.</summary>
internal static class ReproduceCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("experiment") { Description = "The experiment to run (see --list)", Arity = ArgumentArity.ZeroOrOne };
        var seeds = Options.Plain<int?>("--seeds",
            "Evaluation seeds for every group and method instead of the catalogue's (beyond paper scale; a results folder holds one choice)");
        var list = Options.Plain<bool>("--list", "List the experiments with their expected run time on two cores");
        var quick = Options.Plain<bool>("--quick", "The same pipeline at a small scale (CI)");
        var output = Options.Valued<string>("--out",
            "Results folder (one subfolder an experiment; shards and reruns add to it)", Path.Combine("runs", "reproduce"));
        var shard = Options.Plain<string?>("--shard", "i/n: run the i-th of n deterministic parts; default: the part a Slurm job array or "
            + "Kubernetes Indexed Job gives this process (deploy/), else all");
        var digits = Options.Valued<string>("--digits", "MNIST digits folder for mnist-latents (scripts/fetch-mnist.sh)", Path.Combine("data", "mnist"));
        var threads = Options.Valued<int>("--threads", "Runs side by side, one libtorch thread each", Environment.ProcessorCount);
        var json = Options.Plain<bool>("--json", "Print what ran as JSON on stdout (progress goes to stderr)");
        var command = new Command("reproduce",
            "Run one of the paper's claims end to end as a sweep of independent runs: finished runs are skipped, killed ones redone; --shard i/n "
            + "splits it across machines. Then `icnn-lift report`.");
        command.Arguments.Add(name);
        var keepGoing = RunsOutput.KeepGoing();
        foreach (var o in new Option[] { list, quick, seeds, output, shard, threads, digits, keepGoing, json }) command.Options.Add(o);
        command.SetAction(p =>
        {
            if (p.GetValue(list))
            {
                Terminal.Table("experiments (expected wall time with two runs side by side on two cores; measured per-run times)",
                    ["experiment", "runs", "paper scale", "quick", "claim"],
                    Catalog.All.Select(e => new[]
                    {
                        e.Name, e.Plan(false).Count.ToString(CultureInfo.InvariantCulture), Duration(e.Estimate(false)), Duration(e.Estimate(true)), e.Claim,
                    }), 4);
                return ExitCodes.Ok;
            }
            var experiment = UserInput.Check(() =>
                Catalog.Get(p.GetValue(name) ?? throw new ArgumentException("name an experiment (icnn-lift reproduce --list)")));
            var part = Shard.Resolve(p.GetValue(shard), Environment.GetEnvironmentVariable);
            int n = p.GetValue(threads);
            if (n < 1) throw new InputException($"--threads must be positive, got {n}");
            if (p.GetValue(seeds) is < 1) throw new InputException($"--seeds must be positive, got {p.GetValue(seeds)}");
            var root = Sweep.CheckResults(p.GetValue(output), mustExist: false);
            var outcome = Sweep.Run(CliHost.Instance, experiment, p.GetValue(quick), root, part, n, p.GetValue(digits)!, p.GetValue(keepGoing),
                p.GetValue(seeds));
            int elsewhere = outcome.Elsewhere, code = RunsOutput.Conclude(root, outcome.Ran, outcome.Failed);
            if (p.GetValue(json))
                return Terminal.Json(new { experiment = experiment.Name, folder = root, shard = part.ToString(), ran = outcome.Ran.Count, outcome.Skipped,
                    elsewhere, failed = outcome.Failed.Select(f => f.Message) }, code);
            Terminal.Line($"{experiment.Name}: {outcome.Ran.Count} runs done now, {outcome.Skipped} already finished"
                + $"{(elsewhere > 0 ? $", {elsewhere} belong to other shards (this is shard {part} from {part.From})" : "")}"
                + $"{(outcome.Failed.Count > 0 ? $", {outcome.Failed.Count} failed (rerun to retry them)" : "")}"
                + $"; `icnn-lift report --out {p.GetValue(output)}` merges what the folder holds");
            return code;
        });
        return command;
    }

    private static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{t.TotalHours:F1} h" : t.TotalMinutes >= 1 ? $"{t.TotalMinutes:F0} min" : $"{t.TotalSeconds:F0} s";
}
