using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Convex;

/// <summary>The activations an <see cref="Activation"/> can be.</summary>
public enum ActivationKind
{
    /// <summary>log(1 + e^x).</summary>
    Softplus,
    /// <summary>max(x, 0).</summary>
    Relu,
    /// <summary>max(x, slope x), slope in [0, 1].</summary>
    LeakyRelu,
    /// <summary>x for x &gt; 0, scale (e^x - 1) otherwise, scale in (0, 1].</summary>
    Elu,
    /// <summary>x Phi(x) + phi(x) - phi(0), CP-Flow's activation.</summary>
    GaussianSoftplus,
}

/// <summary>
/// A convex, non-decreasing scalar activation: the two properties that keep a non-negative
/// combination of convex functions convex. Written by its command-line name ("leaky_relu:0.01").
/// </summary>
[JsonConverter(typeof(ActivationJsonConverter))]
public sealed record Activation(ActivationKind Kind, double Parameter = 0.0)
{
    /// <summary>log(1 + e^x).</summary>
    public static Activation Softplus { get; } = new(ActivationKind.Softplus);
    /// <summary>max(x, 0).</summary>
    public static Activation Relu { get; } = new(ActivationKind.Relu);
    /// <summary>max(x, slope x), slope in [0, 1].</summary>
    public static Activation LeakyRelu(double slope = 0.01) => new(ActivationKind.LeakyRelu, slope);
    /// <summary>x for x &gt; 0, scale (e^x - 1) otherwise, scale in (0, 1].</summary>
    public static Activation Elu(double scale = 1.0) => new(ActivationKind.Elu, scale);
    /// <summary>The Gaussian softplus x Phi(x) + phi(x) - phi(0): the integral of the normal CDF, shifted to 0 at 0
    /// (CP-Flow's flow activation); its curvature phi(x) decays like a Gaussian rather than exponentially.</summary>
    public static Activation GaussianSoftplus { get; } = new(ActivationKind.GaussianSoftplus);

    private static readonly double NormalDensityAtZero = 1 / Math.Sqrt(2 * Math.PI);

    /// <summary>Parses "softplus", "relu", "leaky_relu[:slope]", "elu[:scale]", "gaussian_softplus".</summary>
    public static Activation Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split(':', 2);
        double? arg = null;
        if (parts.Length == 2)
        {
            if (!double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v))
                throw new ArgumentException($"activation '{text}': '{parts[1]}' is not a number");
            arg = v;
        }
        return parts[0].Replace('-', '_') switch
        {
            "softplus" when arg is null => Softplus,
            "relu" when arg is null => Relu,
            "gaussian_softplus" when arg is null => GaussianSoftplus,
            "leaky_relu" => Validated(LeakyRelu(arg ?? 0.01)),
            "elu" => Validated(Elu(arg ?? 1.0)),
            _ => throw new ArgumentException($"unknown activation '{text}' (softplus, relu, leaky_relu[:slope], elu[:scale], gaussian_softplus)"),
        };
    }

    private static Activation Validated(Activation a) => a.Kind switch
    {
        ActivationKind.LeakyRelu when a.Parameter is < 0 or > 1 =>
            throw new ArgumentException($"leaky_relu slope {a.Parameter} is outside [0, 1]: the activation would not be convex and non-decreasing"),
        ActivationKind.Elu when a.Parameter is <= 0 or > 1 =>
            throw new ArgumentException($"elu scale {a.Parameter} is outside (0, 1]: the activation would not be convex"),
        _ => a,
    };

    /// <summary>s(x), elementwise.</summary>
    public Tensor Apply(Tensor x) => Kind switch
    {
        ActivationKind.Softplus => nn.functional.softplus(x),
        ActivationKind.Relu => nn.functional.relu(x),
        ActivationKind.LeakyRelu => nn.functional.leaky_relu(x, Parameter),
        ActivationKind.Elu => nn.functional.elu(x, Parameter),
        ActivationKind.GaussianSoftplus => x.mul(NormalCdf(x)).add(NormalDensity(x)).sub(NormalDensityAtZero),
        _ => throw new InvalidOperationException(Kind.ToString()),
    };

    private static Tensor NormalCdf(Tensor x) => x.div(Math.Sqrt(2)).erf().add(1).mul(0.5);

    private static Tensor NormalDensity(Tensor x) => x.square().mul(-0.5).exp().mul(NormalDensityAtZero);

    /// <summary>s'(x), elementwise (the right derivative at the kinks of relu and leaky relu).</summary>
    public Tensor Derivative(Tensor x) => Kind switch
    {
        ActivationKind.Softplus => x.sigmoid(),
        ActivationKind.Relu => x.gt(0).to_type(x.dtype),
        ActivationKind.LeakyRelu => where(x.gt(0), ones_like(x), full_like(x, Parameter)),
        ActivationKind.Elu => where(x.gt(0), ones_like(x), x.exp().mul(Parameter)),
        ActivationKind.GaussianSoftplus => NormalCdf(x),
        _ => throw new InvalidOperationException(Kind.ToString()),
    };

    /// <summary>s''(x), elementwise (zero almost everywhere for relu and leaky relu).</summary>
    public Tensor SecondDerivative(Tensor x) => Kind switch
    {
        ActivationKind.Softplus => x.sigmoid().mul(x.neg().sigmoid()),
        ActivationKind.Relu or ActivationKind.LeakyRelu => zeros_like(x),
        ActivationKind.Elu => where(x.gt(0), zeros_like(x), x.exp().mul(Parameter)),
        ActivationKind.GaussianSoftplus => NormalDensity(x),
        _ => throw new InvalidOperationException(Kind.ToString()),
    };

    /// <summary>The command-line name ("softplus", "leaky_relu:0.01").</summary>
    public override string ToString() => Kind switch
    {
        ActivationKind.Softplus => "softplus",
        ActivationKind.Relu => "relu",
        ActivationKind.GaussianSoftplus => "gaussian_softplus",
        ActivationKind.LeakyRelu => FormattableString.Invariant($"leaky_relu:{Parameter}"),
        ActivationKind.Elu => FormattableString.Invariant($"elu:{Parameter}"),
        _ => Kind.ToString(),
    };
}

internal sealed class ActivationJsonConverter : JsonConverter<Activation>
{
    public override Activation Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Activation.Parse(reader.GetString() ?? throw new JsonException("an activation is a string"));

    public override void Write(Utf8JsonWriter writer, Activation value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
