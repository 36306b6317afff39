using System.Globalization;
using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Flows;
using static TorchSharp.torch;

namespace IcnnLift.Training;

/// <summary>The file formats a trained model is exported in.</summary>
public enum ExportFormat
{
    /// <summary>safetensors with metadata (what every run folder holds as model.safetensors).</summary>
    Safetensors,
    /// <summary>PyTorch's own format (torch.load gives a dict of tensors), the metadata as a UTF-8 JSON byte tensor.</summary>
    PyTorch,
}

/// <summary>
/// A trained model in a form any framework reads: the collapsed network's effective maps under documented names
/// (<see cref="Convex.InputConvexNetwork.EffectiveMaps"/>; a flow's under block{k}. with its normalisation's
/// actnorm_loc and actnorm_log_scale), plus string metadata: format, task (ebm or flow), dimension, depth, width,
/// activation (its command-line name), architecture and base (for information: the maps already fold them in; alpha is a
/// tensor, since CP-Flow's layers learn it), blocks, precision, method, seed; log_normalizer for an energy model
/// (log p = -E - log_normalizer) and base_scale for a flow (log p = log N(z; 0, base_scale^2 I) + the blocks'
/// log-determinants). python/icnn_lift_reader.py evaluates log p from it with NumPy alone.
/// </summary>
public static class PortableWeights
{
    /// <summary>The metadata's format entry.</summary>
    public const string Format = "icnn-lift-portable/1";

    /// <summary>The metadata entry that holds, in the PyTorch format, the metadata as UTF-8 JSON bytes.</summary>
    public const string MetadataTensor = "metadata_json";

    /// <summary>The named tensors and the metadata of <paramref name="model"/>, trained as <paramref name="config"/> says.</summary>
    public static (IReadOnlyList<(string Name, Tensor Value)> Tensors, IReadOnlyDictionary<string, string> Metadata) Of(IDensityModel model,
        TrainConfig config)
    {
        static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format, ["task"] = Choice.Name(config.Task), ["dimension"] = model.Dimension.ToString(CultureInfo.InvariantCulture),
            ["depth"] = config.Depth.ToString(CultureInfo.InvariantCulture), ["activation"] = config.Activation.ToString(),
            ["architecture"] = Choice.Name(config.Architecture), ["base"] = Choice.Name(config.Base),
            ["precision"] = Choice.Name(config.Precision), ["method"] = config.MethodName, ["seed"] = config.Seed.ToString(CultureInfo.InvariantCulture),
        };
        switch (model)
        {
            case LogConcaveDensity energy:
                metadata["width"] = energy.Energy.Spec.Width.ToString(CultureInfo.InvariantCulture);
                metadata["blocks"] = "1";
                metadata["log_normalizer"] = Number(energy.LogZ());
                return (energy.Energy.EffectiveMaps(), metadata);
            case ConvexPotentialFlow flow:
                metadata["width"] = flow.Potentials[0].Spec.Width.ToString(CultureInfo.InvariantCulture);
                metadata["blocks"] = flow.Blocks.ToString(CultureInfo.InvariantCulture);
                metadata["base_scale"] = Number(flow.Options.BaseScale);
                var tensors = Enumerable.Range(0, flow.Blocks)
                    .SelectMany(k => flow.Norms[k].Portable().Concat(flow.Potentials[k].EffectiveMaps()).Select(t => ($"block{k}.{t.Name}", t.Value)))
                    .ToList();
                return (tensors, metadata);
            default:
                throw new ArgumentException($"{model.GetType().Name} has no portable form");
        }
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> in <paramref name="format"/>, atomically.</summary>
    public static void Write(string path, IDensityModel model, TrainConfig config, ExportFormat format)
    {
        using var scope = NewDisposeScope();
        var (tensors, metadata) = Of(model, config);
        if (format == ExportFormat.Safetensors)
        {
            Safetensors.Write(path, tensors, metadata);
            return;
        }
        var all = tensors.ToDictionary(t => t.Name, t => t.Value.detach().cpu().contiguous());
        all[MetadataTensor] = tensor(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(metadata), ScalarType.Byte);
        AtomicFile.Write(path, (Stream stream) => TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(stream, all, leaveOpen: true));
    }
}
