using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using IcnnLift.Convex;
using IcnnLift.Data;
using IcnnLift.Density;
using static TorchSharp.torch;

namespace IcnnLift.Training;

/// <summary>What config.json holds: enough to rebuild the model without the data, and the sizes of the data's splits
/// (absent in folders written before they were recorded).</summary>
public sealed record RunManifest(string Format, string Data, TrainConfig Config, IcnnSpec Network, GridSpec? Grid, DataSplits? Splits = null);

/// <summary>A run folder read back: the collapsed network, its normaliser, its configuration and its result.</summary>
public sealed record SavedRun(IDensityModel Model, RunManifest Manifest, RunResult Result);

/// <summary>
/// A run's folder: config.json (everything that determined it), metrics.csv (per-iteration log),
/// result.json, model.pt (the collapsed model: plain convex networks, no hypernetwork) and model.safetensors (the same
/// for other frameworks, see <see cref="PortableWeights"/>). Written through an
/// <see cref="OutputFolder"/>, so a folder is either complete or absent.
/// </summary>
public static class RunFolder
{
    /// <summary>The format config.json declares.</summary>
    public const string FormatVersion = "icnn-lift-run/1";

    /// <summary>How run folders write and read JSON (snake case).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes a new run folder atomically (see <see cref="OutputFolder"/>: an existing non-empty folder is refused).</summary>
    public static void Write(string directory, TrainConfig config, TrainedModel model)
    {
        using var folder = OutputFolder.Claim(directory);
        WriteInto(folder.Staging, config, model);
        folder.Commit();
    }

    /// <summary>Writes a run's files into <paramref name="folder"/>, an empty folder the caller owns (a staging folder).</summary>
    public static void WriteInto(string folder, TrainConfig config, TrainedModel model)
    {
        var manifest = new RunManifest(FormatVersion, model.Result.Target, config, config.NetworkSpec(model.Model.Dimension), DensityModels.Grid(model.Model),
            model.Splits);
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(manifest, Json));
        File.WriteAllText(Path.Combine(folder, "result.json"), JsonSerializer.Serialize(model.Result, Json));
        WriteMetrics(Path.Combine(folder, "metrics.csv"), model.Metrics);
        model.Model.Module.save(Path.Combine(folder, "model.pt"));
        // From the model as a reader of this folder gets it: an importance-sampled log-normaliser is drawn afresh on loading,
        // so the file's must be the loaded model's for `density` and the file to agree.
        var saved = Load(folder);
        using (saved.Model.Module) PortableWeights.Write(Path.Combine(folder, "model.safetensors"), saved.Model, config, ExportFormat.Safetensors);
    }

    /// <summary>Writes metrics.csv.</summary>
    public static void WriteMetrics(string path, IEnumerable<MetricsRow> rows)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("step,train_loss,validation_nll,shoulder_occupancy,cross_covariance,admm_rho,admm_primal_residual,admm_dual_residual,"
            + "batch_noise_median,batch_noise_p90,shoulder_noise_median,shoulder_noise_p90,shoulder_gap_median");
        foreach (var r in rows)
        {
            var n = r.BatchNoise;
            writer.WriteLine(string.Join(",", r.Step.ToString(CultureInfo.InvariantCulture), Format(r.TrainLoss),
                r.ValidationNll is double v ? Format(v) : "", Format(r.ShoulderOccupancy), r.CrossCovariance is double x ? Format(x) : "",
                r.Admm is { } a ? Format(a.Rho) : "", r.Admm is { } b ? Format(b.PrimalResidual) : "", r.Admm is { } c ? Format(c.DualResidual) : "",
                n is null ? "" : Format(n.Median), n is null ? "" : Format(n.P90), n is null ? "" : Format(n.ShoulderMedian),
                n is null ? "" : Format(n.ShoulderP90), n is null ? "" : Format(n.ShoulderGap)));
        }
    }

    private static string Format(double v) => SampleCsv.Cell(v);

    /// <summary>Loads a run folder.</summary>
    public static SavedRun Load(string directory)
    {
        var configPath = Path.Combine(directory, "config.json");
        var resultPath = Path.Combine(directory, "result.json");
        var modelPath = Path.Combine(directory, "model.pt");
        if (!File.Exists(configPath) || !File.Exists(resultPath) || !File.Exists(modelPath))
            throw new InputException($"{directory}: not a run folder (config.json, result.json and model.pt are needed)");
        var manifest = ReadManifest(directory);
        var result = ReadJson<RunResult>(resultPath);
        IDensityModel model;
        try
        {
            model = DensityModels.Rebuild(manifest.Config, manifest.Network, manifest.Grid);
        }
        catch (ArgumentException e)
        {
            throw new InputException($"{configPath}: {e.Message}");
        }
        try
        {
            model.Module.load(modelPath);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidDataException or OverflowException or OutOfMemoryException or FormatException)
        {
            // TorchSharp reads a truncated, empty or foreign file as far as it can and then throws one of these.
            throw new InputException($"{modelPath}: not a model this run's config.json describes (truncated or damaged?): {e.Message}");
        }
        DensityModels.AfterLoad(model);
        return new SavedRun(model, manifest, result);
    }

    /// <summary>One column of a run folder's metrics.csv, a value per logged step (NaN where empty), such as
    /// shoulder_occupancy or cross_covariance.</summary>
    public static double[] LoadMetric(string directory, string name)
    {
        var lines = File.ReadAllLines(Path.Combine(directory, "metrics.csv"));
        int column = Array.IndexOf(lines[0].Split(','), name);
        if (column < 0) throw new InputException($"{Path.Combine(directory, "metrics.csv")}: no column '{name}'");
        return lines.Skip(1).Select(l => l.Split(',')[column]).Select(v =>
            v.Length == 0 ? double.NaN : double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>A run folder's result alone.</summary>
    public static RunResult LoadResult(string directory) => ReadJson<RunResult>(Path.Combine(directory, "result.json"));

    /// <summary>A run folder's result, after checking that its config.json is of this version (a truncated or foreign
    /// folder is bad input, named).</summary>
    public static RunResult LoadChecked(string directory)
    {
        ReadManifest(directory);
        return LoadResult(directory);
    }

    private static RunManifest ReadManifest(string directory)
    {
        var path = Path.Combine(directory, "config.json");
        var manifest = ReadJson<RunManifest>(path);
        return manifest.Format == FormatVersion ? manifest : throw new InputException($"{path}: format '{manifest.Format}' is not '{FormatVersion}'");
    }

    /// <summary>A JSON file of ours; a missing, empty or malformed one is bad input, named.</summary>
    public static T ReadJson<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json) ?? throw new InputException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not a valid {typeof(T).Name} ({e.Message})");
        }
    }
}
