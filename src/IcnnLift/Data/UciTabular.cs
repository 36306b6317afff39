using System.Globalization;

namespace IcnnLift.Data;

/// <summary>
/// The preprocessed UCI POWER and HEPMASS sets in their original file formats, with the standard
/// preprocessing of the masked-autoregressive-flow benchmarks (Papamakarios et al. 2017). The folder is
/// the one holding the files, or its parent with a power/ or hepmass/ subfolder.
/// </summary>
public static class UciTabular
{
    /// <summary>The UCI sets read: power and hepmass.</summary>
    public static IReadOnlyList<string> Names { get; } = ["power", "hepmass"];

    /// <summary>The named set from its original files in <paramref name="folder"/>, preprocessed and split as MAF does.</summary>
    public static Dataset Load(string name, string folder) => name switch
    {
        "power" => Power(Locate(folder, "power", "data.npy")),
        "hepmass" => Hepmass(Locate(folder, "hepmass", "1000_train.csv"), Locate(folder, "hepmass", "1000_test.csv")),
        _ => throw new InputException($"unknown UCI set '{name}' ({string.Join(", ", Names)})"),
    };

    private static string Locate(string folder, string sub, string file)
    {
        if (!Directory.Exists(folder)) throw new InputException($"{folder}: folder not found");
        foreach (var candidate in new[] { Path.Combine(folder, file), Path.Combine(folder, sub, file) })
            if (File.Exists(candidate)) return candidate;
        throw new InputException($"{folder}: no {file} here or in {sub}/ (the {sub} set's file)");
    }

    /// <summary>
    /// POWER: 8 columns; shuffle (fixed seed), drop columns 3 and 1, add uniform noise (0.001 to the gap,
    /// 0.01 to the voltage, 1 to the three sub-meterings, none to the time column), last 10% test, last 10%
    /// of the rest validation, standardise on train + validation. The shuffle and noise come from .NET's
    /// seeded generator, so the split is not the very one NumPy's RandomState(42) gives.
    /// </summary>
    public static Dataset Power(string path)
    {
        var raw = NpyReader.Read(path);
        if (raw[0].Length != 8) throw new InputException($"{path}: POWER has 8 columns, this file has {raw[0].Length}");
        CheckFinite(path, raw);
        var rng = new Random(42);
        rng.Shuffle(raw);
        double[] noiseScale = [0.001, 0.01, 1, 1, 1, 0];
        var data = raw.Select(r => new[] { r[0], r[2], r[4], r[5], r[6], r[7] }.Select((v, j) => v + noiseScale[j] * rng.NextDouble()).ToArray()).ToArray();
        int test = data.Length / 10;
        var rest = data[..^test];
        int validation = rest.Length / 10;
        var (train, valid, tst) = (rest[..^validation], rest[^validation..], data[^test..]);
        var (mean, sd) = Moments(rest);
        return new Dataset("power", Standardise(train, mean, sd), Standardise(valid, mean, sd), Standardise(tst, mean, sd));
    }

    /// <summary>
    /// HEPMASS: keep the signal rows (label 1), drop the label (and the test file's extra last column),
    /// standardise on the training file, drop the features whose smallest value recurs more than 5 times
    /// (discrete-valued), last 10% of training as validation.
    /// </summary>
    public static Dataset Hepmass(string trainPath, string testPath)
    {
        var train = ReadSignal(trainPath, dropLast: false);
        var test = ReadSignal(testPath, dropLast: true);
        if (train[0].Length != test[0].Length)
            throw new InputException($"{testPath}: {test[0].Length} features after dropping the label and the last column, the training file has "
                + $"{train[0].Length}");
        var (mean, sd) = Moments(train);
        train = Standardise(train, mean, sd);
        test = Standardise(test, mean, sd);
        var keep = Enumerable.Range(0, train[0].Length).Where(j =>
        {
            double min = train.Min(r => r[j]);
            return train.Count(r => r[j] == min) <= 5;
        }).ToArray();
        double[][] Select(double[][] rows) => rows.Select(r => keep.Select(j => r[j]).ToArray()).ToArray();
        train = Select(train);
        test = Select(test);
        int validation = train.Length / 10;
        return new Dataset("hepmass", train[..^validation], train[^validation..], test);
    }

    private static double[][] ReadSignal(string path, bool dropLast)
    {
        var rows = SampleCsv.Read(path);
        var signal = rows.Where(r => r[0] == 1).Select(r => r[1..(dropLast ? ^1 : ^0)]).ToArray();
        if (signal.Length < 10) throw new InputException($"{path}: fewer than 10 signal rows (label 1 in the first column)");
        return signal;
    }

    private static void CheckFinite(string path, double[][] rows)
    {
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[i].Length; j++)
                if (!double.IsFinite(rows[i][j]))
                    throw new InputException(string.Create(CultureInfo.InvariantCulture, $"{path}: row {i}, column {j + 1} is {rows[i][j]}"));
    }

    /// <summary>Column means and sample standard deviations (ddof 1, as pandas).</summary>
    private static (double[] Mean, double[] Sd) Moments(double[][] rows)
    {
        int d = rows[0].Length;
        var mean = Enumerable.Range(0, d).Select(j => rows.Average(r => r[j])).ToArray();
        var sd = Enumerable.Range(0, d).Select(j => Math.Sqrt(rows.Sum(r => (r[j] - mean[j]) * (r[j] - mean[j])) / (rows.Length - 1))).ToArray();
        return (mean, sd.Select(s => s > 0 ? s : 1).ToArray());
    }

    private static double[][] Standardise(double[][] rows, double[] mean, double[] sd) =>
        rows.Select(r => r.Select((v, j) => (v - mean[j]) / sd[j]).ToArray()).ToArray();
}
