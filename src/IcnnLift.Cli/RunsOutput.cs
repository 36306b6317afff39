using System.CommandLine;
using System.Globalization;

namespace IcnnLift.Cli;

/// <summary>How the commands that train runs print what they found and end (exit codes 0, 1, 3).</summary>
internal static class RunsOutput
{
    public static Option<bool> KeepGoing() =>
        Options.Plain<bool>("--keep-going", "When a run fails, finish the others and use those that finished (exit code 1)");

    /// <summary>Prints a comparison's tables (or its JSON) and returns the exit code (<see cref="Conclude"/>).</summary>
    public static int PrintComparison(ComparisonOutcome outcome, string dataName, int seeds, bool json)
    {
        var (output, results, summary, paired, metrics, failures, densities, rates) = outcome;
        int code = Conclude(output, results, failures);
        if (json) return Terminal.Json(new { folder = output, tuned_rates = rates, summary, paired, failed = failures.Select(f => f.Message) }, code);
        if (rates is not null)
            Terminal.Table("rates chosen on the tuning seeds (median best validation NLL)", ["method", "lr", "hypernetwork lr", "validation NLL", "candidates"],
                rates.Select(r => new[] { r.Method, Terminal.Number(r.LearningRate, "G3"), Terminal.Number(r.HypernetworkLearningRate, "G3"),
                    Terminal.Number(r.MedianValidationNll), r.Candidates.ToString(CultureInfo.InvariantCulture) }));
        bool known = summary.Any(s => s.TotalVariation is not null);
        string Q(Quartiles? q) => q is null ? "-" : $"{Terminal.Number(q.Median)} [{Terminal.Number(q.Q1)}, {Terminal.Number(q.Q3)}]";
        Terminal.Table($"{dataName}: median [Q1, Q3] over {seeds} seeds at the best-validation checkpoint",
            known ? ["method", "test NLL (nats)", "total variation", "cross-entropy (nats)", "stopped"] : ["method", "test NLL (nats)", "stopped"],
            summary.Select(s => known
                ? new[] { s.Method, Q(s.TestNll), Q(s.TotalVariation), Q(s.CrossEntropy), s.Stopped.ToString(CultureInfo.InvariantCulture) }
                : [s.Method, Q(s.TestNll), s.Stopped.ToString(CultureInfo.InvariantCulture)]));
        Terminal.Table("paired on shared seeds: wins-losses-ties (lower wins)",
            ["method", "vs", .. metrics.Select(m => m.Replace('_', ' '))],
            paired.GroupBy(w => (w.Method, w.Other)).Select(g => new[] { g.Key.Method, g.Key.Other }
                .Concat(g.Select(w => FormattableString.Invariant($"{w.Wins}-{w.Losses}-{w.Ties}"))).ToArray()));
        Terminal.Line($"results: {output} (summary.csv, summary.json, runs.csv, {(densities ? "densities.png, " : "")}"
            + "occupancy.png and crosscov.png where a method has a softplus readout, batchnoise.png where one has a batch-conditioned body, runs/)");
        return code;
    }

    /// <summary>Says on stderr which runs failed (keep-going) or stopped on a non-finite loss, and gives the exit code:
    /// 1 for a failure, else 3 for a non-finite run, else 0.</summary>
    public static int Conclude(string output, IReadOnlyList<RunResult> results, IReadOnlyList<JobFailure> failures)
    {
        foreach (var f in failures) Console.Error.WriteLine($"failed: {f.Message}");
        var nonFinite = results.Where(r => r.NonFinite is not null).ToList();
        foreach (var r in nonFinite)
            Console.Error.WriteLine($"stopped: {r.Method} seed {r.Seed}: {r.NonFinite}; its results in {output} are those of the best checkpoint");
        return failures.Count > 0 ? ExitCodes.Failed : nonFinite.Count > 0 ? ExitCodes.NonFinite : ExitCodes.Ok;
    }
}
