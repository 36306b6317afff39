using System.CommandLine;
using IcnnLift.Data;
using IcnnLift.Flows;
using IcnnLift.Plotting;
using IcnnLift.Targets;
using IcnnLift.Training;
using TorchSharp;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift sample</c>: draws from a saved flow by inverting it.</summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Run folder of a flow (train or compare --task flow)", Required = true };
        var count = new Option<int>("--n") { Description = "Number of samples", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the base draws", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "CSV file of samples (a PNG beside it for 2-D models)", Required = true };
        var command = new Command("sample", "Draw samples from a saved convex-potential flow (each block inverted by a convex solve).");
        foreach (var o in new Option[] { model, count, seed, output }) command.Options.Add(o);
        command.SetAction(p =>
        {
            Runtime.TorchRuntime.Initialize(1);
            int n = p.GetValue(count);
            if (n < 1) throw new InputException($"--n must be positive, got {n}");
            var run = RunFolder.Load(p.GetValue(model)!);
            if (run.Model is not ConvexPotentialFlow flow)
                throw new InputException($"{p.GetValue(model)}: a {run.Manifest.Config.Task} model; sampling needs a flow (--task flow)");
            var (samples, residual) = flow.Sample(n, new torch.Generator((ulong)p.GetValue(seed)), run.Manifest.Config.DType);
            var rows = Enumerable.Range(0, n).Select(i => samples[i].to_type(torch.ScalarType.Float64).data<double>().ToArray()).ToArray();
            var path = p.GetValue(output)!;
            SampleCsv.Write(path, Enumerable.Range(1, flow.Dimension).Select(j => $"x{j}").ToArray(), rows);
            if (flow.Dimension == 2)
            {
                var data = Target.Names.Contains(run.Manifest.Data) ? Target.Get(run.Manifest.Data).Sample(n, new Random(p.GetValue(seed))) : null;
                DensityFigure.SaveSamples(Path.ChangeExtension(path, ".png"), rows, data, $"{run.Manifest.Data}: {run.Manifest.Config.Method} flow samples");
            }
            Console.Out.WriteLine($"{n} samples written to {path}; largest inverse residual |grad F(x) - y| = {residual:E2}");
            if (!(residual < 1e-3)) Console.Error.WriteLine($"warning: the inverse solve did not converge for every sample (residual {residual:E2})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
