using System.Text.Json;
using System.Text.Json.Serialization;
using IcnnLift.Data;
using static TorchSharp.torch;

namespace IcnnLift.Convex;

/// <summary>How the network's first weights are drawn; written by its command-line name.</summary>
[JsonConverter(typeof(InitializationJsonConverter))]
public enum InitializationKind
{
    /// <summary>PyTorch's Linear initialisation U(-k, k), k = 1/sqrt(fan_in), with the constrained weights
    /// folded to |U(-k, k)| (floored so that softplus^-1 exists).</summary>
    Default,
    /// <summary>Hoedt and Klambauer (NeurIPS 2023): log-normal non-negative weights whose mean and variance
    /// keep the signal's variance and correlation at a fixed point, and a negative bias shift that
    /// re-centres the pre-activations.</summary>
    Principled,
}

/// <summary>Random initial values for the convex network, drawn from an explicit generator so that runs on
/// several threads stay reproducible.</summary>
public static class Initialization
{
    /// <summary>Smallest initial constrained weight: softplus^-1(1e-4) is about -9.2, deep in the shoulder but finite.</summary>
    public const double WeightFloor = 1e-4;

    /// <summary>Parses "default" or "principled" (also "hoedt", the authors' name).</summary>
    public static InitializationKind Parse(string text) =>
        text.Trim().Equals("hoedt", StringComparison.OrdinalIgnoreCase)
            ? InitializationKind.Principled
            : Choice.Parse<InitializationKind>(text, "initialisation");

    /// <summary>Sets every constrained weight under <paramref name="module"/> to softplus(level + 0.5 z), z ~ N(0, 1):
    /// a start at a chosen depth in the softplus shoulder, the same for every method.</summary>
    public static void StartAt(TorchSharp.torch.nn.Module module, double level, Generator generator)
    {
        using var scope = NewDisposeScope();
        foreach (var weight in module.modules().OfType<ConstrainedWeight>())
            weight.Store(nn.functional.softplus(randn(weight.Shape, weight.Stored.dtype, generator: generator).mul_(0.5).add_(level)));
    }

    /// <summary>Uniform draws on [-bound, bound].</summary>
    public static Tensor Uniform(long[] shape, double bound, Generator generator, ScalarType dtype) =>
        rand(shape, dtype, generator: generator).mul_(2 * bound).sub_(bound);

    /// <summary>Initial (weight, bias) of a free, unconstrained linear map.</summary>
    public static (Tensor Weight, Tensor Bias) FreeLinear(long outFeatures, long inFeatures, Generator g, ScalarType dtype)
    {
        double k = 1.0 / Math.Sqrt(inFeatures);
        return (Uniform([outFeatures, inFeatures], k, g, dtype), Uniform([outFeatures], k, g, dtype));
    }

    /// <summary>Initial non-negative weights (out x width) of a constrained layer of <paramref name="spec"/>'s network,
    /// and the initial bias of the free affine term that is added to it. The cpflow architecture averages over the
    /// fan-in, so its weights are O(1): softplus of PyTorch's Linear draw, as CP-Flow's positive layers start.
    /// With <see cref="IcnnSpec.SymmetricInit"/> every entry is the draw's mean instead, and nothing is drawn.</summary>
    public static (Tensor Weight, Tensor Bias) ConstrainedLinear(IcnnSpec spec, long outFeatures, Generator g, ScalarType dtype)
    {
        long inFeatures = spec.Width;
        double k = 1.0 / Math.Sqrt(inFeatures);
        if (spec.Architecture == IcnnArchitecture.CpFlow)
            return (spec.SymmetricInit ? full([outFeatures, inFeatures], Math.Log(2), dtype)
                : nn.functional.softplus(Uniform([outFeatures, inFeatures], k, g, dtype)), zeros(outFeatures, dtype));
        if (spec.Initialization == InitializationKind.Default)
        {
            var w = spec.SymmetricInit ? full([outFeatures, inFeatures], k / 2, dtype)
                : Uniform([outFeatures, inFeatures], k, g, dtype).abs_().clamp_min_(WeightFloor);
            return (w, Uniform([outFeatures], k, g, dtype));
        }
        var (meanSq, variance, shift) = PrincipledMoments(inFeatures);
        // Log-normal with mean sqrt(meanSq) and variance `variance`: match the first two moments.
        double logSecondMoment = Math.Log(meanSq + variance);
        double mu = Math.Log(meanSq) - logSecondMoment / 2;
        double sigma = Math.Sqrt(logSecondMoment - Math.Log(meanSq));
        var weight = spec.SymmetricInit ? full([outFeatures, inFeatures], Math.Sqrt(meanSq), dtype)
            : randn([outFeatures, inFeatures], dtype, generator: g).mul_(sigma).add_(mu).exp_().clamp_min_(WeightFloor);
        return (weight, full([outFeatures], -shift, dtype));
    }

    /// <summary>
    /// Moments of the principled initialisation for a ReLU-like layer with fan-in n, target variance 1
    /// and target correlation 1/2 (the paper's defaults): squared mean and variance of the weights, and the
    /// bias shift that removes the mean a non-negative layer adds to its pre-activations.
    /// </summary>
    internal static (double MeanSq, double Variance, double Shift) PrincipledMoments(long fanIn, double targetVariance = 1.0, double targetCorrelation = 0.5)
    {
        double n = fanIn, rho = targetCorrelation;
        // Correlation propagation through a ReLU with non-centred weights (their eq. 35).
        double mixedMoment = Math.Sqrt(1 - rho * rho) + rho * Math.Acos(-rho);
        double correlationGain = n * (Math.PI - n + (n - 1) * mixedMoment) / (2 * Math.PI);
        double meanSq = rho / correlationGain;
        double variance = 2.0 * (1 - rho) / n;
        double shift = n * Math.Sqrt(meanSq * targetVariance / (2 * Math.PI));
        return (meanSq, variance, shift);
    }
}

/// <summary>Reads what <see cref="Initialization.Parse"/> accepts (a config.json of an older run holds the user's spelling).</summary>
internal sealed class InitializationJsonConverter : JsonConverter<InitializationKind>
{
    public override InitializationKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Initialization.Parse(reader.GetString() ?? throw new JsonException("an initialisation is a string"));

    public override void Write(Utf8JsonWriter writer, InitializationKind value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Choice.Name(value));
}
