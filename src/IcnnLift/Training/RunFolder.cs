using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using IcnnLift.Convex;
using IcnnLift.Data;
using IcnnLift.Density;
using static TorchSharp.torch;

namespace IcnnLift.Training;

/// <summary>What config.json holds: enough to rebuild the model without the data.</summary>
public sealed record RunManifest(string Format, string Data, TrainConfig Config, IcnnSpec Network, GridSpec? Grid);

/// <summary>A run folder read back: the collapsed network, its normaliser, its configuration and its result.</summary>
public sealed record SavedRun(IDensityModel Model, RunManifest Manifest, RunResult Result);

/// <summary>
/// A run's folder: config.json (everything that determined it), metrics.csv (per-iteration log),
/// result.json, and model.pt (the collapsed model: plain convex networks, no hypernetwork). Written into a temporary sibling and
/// renamed into place, so a folder is either complete or absent.
/// </summary>
public static class RunFolder
{
    public const string FormatVersion = "icnn-lift-run/1";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write(string directory, TrainConfig config, TrainedModel model)
    {
        var manifest = new RunManifest(FormatVersion, model.Result.Target, config, config.NetworkSpec(model.Model.Dimension), DensityModels.Grid(model.Model));
        WriteDirectory(directory, temp =>
        {
            File.WriteAllText(Path.Combine(temp, "config.json"), JsonSerializer.Serialize(manifest, Json));
            File.WriteAllText(Path.Combine(temp, "result.json"), JsonSerializer.Serialize(model.Result, Json));
            WriteMetrics(Path.Combine(temp, "metrics.csv"), model.Metrics);
            model.Model.Module.save(Path.Combine(temp, "model.pt"));
        });
    }

    /// <summary>Fills a fresh temporary folder and renames it to <paramref name="directory"/>, replacing what was there.</summary>
    public static void WriteDirectory(string directory, Action<string> fill)
    {
        var full = Path.GetFullPath(directory);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            fill(temp);
            if (Directory.Exists(full))
            {
                var old = temp + ".old";
                Directory.Move(full, old);
                Directory.Move(temp, full);
                Directory.Delete(old, recursive: true);
            }
            else Directory.Move(temp, full);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    public static void WriteMetrics(string path, IEnumerable<MetricsRow> rows)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("step,train_loss,validation_nll,shoulder_occupancy,cross_covariance,admm_rho,admm_primal_residual,admm_dual_residual");
        foreach (var r in rows)
            writer.WriteLine(string.Join(",", r.Step.ToString(CultureInfo.InvariantCulture), Format(r.TrainLoss),
                r.ValidationNll is double v ? Format(v) : "", Format(r.ShoulderOccupancy), r.CrossCovariance is double x ? Format(x) : "",
                r.Admm is { } a ? Format(a.Rho) : "", r.Admm is { } b ? Format(b.PrimalResidual) : "", r.Admm is { } c ? Format(c.DualResidual) : ""));
    }

    private static string Format(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

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
        var model = DensityModels.Rebuild(manifest.Config, manifest.Network, manifest.Grid);
        model.Module.load(modelPath);
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

    private static T ReadJson<T>(string path)
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
