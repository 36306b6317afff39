using System.CommandLine;
using IcnnLift.Density;
using IcnnLift.Flows;
using IcnnLift.Studies.Figures;
using TorchSharp;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift sample</c>: draws from a saved model: a flow by inverting it, an energy model by MALA.</summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var model = Options.Required("--model", "Run folder written by train or compare");
        var steps = Options.Valued<int>("--mala-steps", "Langevin steps per chain for energy models (half of them adapt the step size)", 500);
        var count = Options.Valued<int>("--n", "Number of samples", 1000);
        var seed = Options.Valued<int>("--seed", "Seed of the base draws", 0);
        var output = Options.Required("--out", "CSV file of samples (a PNG beside it for 2-D models); an existing file is refused");
        var overwrite = Options.Plain<bool>("--overwrite", "Replace the --out file (and its PNG) if they exist");
        var command = new Command("sample",
            "Draw samples from a saved model: a flow by inverting its blocks (convex solves), an energy model by Metropolis-adjusted Langevin.");
        foreach (var o in new Option[] { model, count, seed, output, overwrite, steps }) command.Options.Add(o);
        command.SetAction(p =>
        {
            Runtime.TorchRuntime.Initialize(1);
            int n = p.GetValue(count);
            if (n < 1) throw new InputException($"--n must be positive, got {n}");
            if (p.GetValue(steps) < 2) throw new InputException($"--mala-steps must be at least 2, got {p.GetValue(steps)}");
            var path = OutputFolder.CheckFile(p.GetValue(output), p.GetValue(overwrite));
            var run = RunFolder.Load(p.GetValue(model)!);
            if (run.Model.Dimension == 2) OutputFolder.CheckFile(Path.ChangeExtension(path, ".png"), p.GetValue(overwrite), "--out (its figure)");
            var (samples, report, converged) = run.Model.Sample(n, p.GetValue(steps), new torch.Generator((ulong)p.GetValue(seed)));
            int dimension = run.Model.Dimension;
            var rows = Enumerable.Range(0, n).Select(i => samples[i].to_type(torch.ScalarType.Float64).data<double>().ToArray()).ToArray();
            SampleCsv.Write(path, Enumerable.Range(1, dimension).Select(j => $"x{j}").ToArray(), rows);
            if (dimension == 2) DensityFigure.SaveSamples(Path.ChangeExtension(path, ".png"), run, rows, p.GetValue(seed));
            Terminal.Line($"{n} samples written to {path}; {report}");
            if (!converged) Console.Error.WriteLine($"warning: the sampler may not have converged ({report})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
