using System.Globalization;
using System.Text.Json;
using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Positivity;
using IcnnLift.Runtime;
using IcnnLift.Studies.Figures;
using IcnnLift.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Studies.ImageLatents;

/// <summary>What the MNIST study wrote and found: its folder, the per-class table and every run's result.</summary>
public sealed record MnistOutcome(string Folder, IReadOnlyList<MnistStudy.ClassRow> Classes, IReadOnlyList<RunResult> Results);

/// <summary>
/// An autoencoder to 32-D latents, then one log-concave density model per digit class and positivity method on the
/// latents (importance-sampled log Z), beside a full-covariance Gaussian per class: table.csv, summary.json and a grid
/// of decoded samples, written atomically into one folder.
/// </summary>
public static class MnistStudy
{
    public static MnistOutcome Run(IStudyHost host, Digits digits, IReadOnlyList<PositivityMethod> methods, TrainConfig baseConfig, int epochs, int threads,
        string output, bool overwrite)
    {
        int s = baseConfig.Seed;
        var methodList = methods.Select(Choice.Name).ToList();
        using var claimed = OutputFolder.Claim(output, overwrite);
        Runtime.TorchRuntime.Initialize(1);
        var folder = claimed.Staging;
        // 1. The autoencoder and the latents, on this thread alone (no progress-bar thread while torch runs: see ProcessRunExecutor).
        var (autoencoder, reconstruction) = MnistLatents.Write(host, digits, s, epochs, folder);
        var classFiles = Enumerable.Range(0, 10).Select(c => MnistLatents.ClassFile(folder, c)).ToArray();

        // 2. One run a class and method; the runs read the class's latents as user data (split 80/10/10 by seed).
        var specs = (from c in Enumerable.Range(0, 10)
                     from m in methods
                     select new JobSpec(baseConfig with { Method = m }, new DataSource(null, classFiles[c]),
                         Path.Combine(folder, "runs", $"class-{c}", Choice.Name(m)))).ToList();
        host.Runs.RunAll($"mnist latents: 10 classes x {methodList.Count} methods", specs, threads);

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
        File.WriteAllText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(new { autoencoder_bce = reconstruction, config = baseConfig,
            classes = rows }, RunFolder.Json));

        // 4. Decoded samples of the lift's model (or the last method's), one row a class.
        string shown = Choice.Name(methods.Contains(PositivityMethod.Lift) ? PositivityMethod.Lift : methods[^1]);
        var grid = Enumerable.Range(0, 10).Select(c =>
        {
            var samples = RunFolder.Load(Path.Combine(folder, "runs", $"class-{c}", shown)).Model.Sample(10, 400, TorchRuntime.NewGenerator((ulong)(s * 10 + c))).Samples;
            using (no_grad())
            {
                var decoded = autoencoder.Decode(samples.to_type(ScalarType.Float32));
                return (IReadOnlyList<float[]>)Enumerable.Range(0, 10).Select(i => decoded[i].cpu().data<float>().ToArray()).ToList();
            }
        }).ToList();
        DigitGrid.Save(Path.Combine(folder, "samples.png"), grid, $"decoded MALA samples of the {shown} models, one row a class");
        claimed.Commit();
        return new MnistOutcome(claimed.FullPath, rows, all);
    }

    public sealed record MethodCell(double TestNll, double? StandardError, double? EffectiveSampleSize, string? Warning);

    public sealed record ClassRow(int Digit, int TrainSize, int TestSize, double GaussianTestNll, Dictionary<string, MethodCell> Methods);

    private static void WriteTable(string folder, IReadOnlyList<ClassRow> rows, IReadOnlyList<string> methods)
    {
        using var w = new StreamWriter(Path.Combine(folder, "table.csv"));
        w.WriteLine("digit,train,test,gaussian_test_nll," + string.Join(",", methods.Select(m => $"{m}_test_nll,{m}_standard_error,{m}_ess")));
        foreach (var r in rows)
            w.WriteLine(string.Join(",", new[] { r.Digit.ToString(CultureInfo.InvariantCulture), r.TrainSize.ToString(CultureInfo.InvariantCulture),
                r.TestSize.ToString(CultureInfo.InvariantCulture), r.GaussianTestNll.ToString("R", CultureInfo.InvariantCulture) }
                .Concat(methods.SelectMany(m => new[] { r.Methods[m].TestNll, r.Methods[m].StandardError ?? double.NaN,
                    r.Methods[m].EffectiveSampleSize ?? double.NaN }
                    .Select(v => v.ToString("R", CultureInfo.InvariantCulture))))));
    }
}
