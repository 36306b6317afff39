using System.Text.Json.Serialization;
using IcnnLift.Data;
using static TorchSharp.torch;

namespace IcnnLift.Positivity;

/// <summary>The methods behind the positivity seam, serialised by their command-line names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PositivityMethod>))]
public enum PositivityMethod
{
    /// <summary>Projected gradient descent: clamp at zero after each step.</summary>
    [JsonStringEnumMemberName("pgd")] Pgd,
    /// <summary>Direct softplus reparametrisation w = softplus(t).</summary>
    [JsonStringEnumMemberName("softplus")] Softplus,
    /// <summary>softplus(t + b): the lift's bias without its hypernetwork.</summary>
    [JsonStringEnumMemberName("softplus-bias")] SoftplusBias,
    /// <summary>Direct softplus on a network widened to the lift's parameter count (the matched-capacity control).</summary>
    [JsonStringEnumMemberName("softplus-matched")] SoftplusMatched,
    /// <summary>The lift: softplus(h_phi(X) + b), a DeepSets hypernetwork conditioned on the batch X.</summary>
    [JsonStringEnumMemberName("lift")] Lift,
    /// <summary>The lift without its learnable bias.</summary>
    [JsonStringEnumMemberName("lift-nobias")] LiftNoBias,
    /// <summary>The lift with its body conditioned on one fixed batch for the whole run: the same parameters,
    /// parametrisation and start, minus the batch noise (the control for "is it the stochasticity?").</summary>
    [JsonStringEnumMemberName("lift-fixed")] LiftFixed,
    /// <summary>ADMM with a fixed penalty rho = 10.</summary>
    [JsonStringEnumMemberName("admm")] AdmmFixed,
    /// <summary>ADMM with residual balancing.</summary>
    [JsonStringEnumMemberName("admm-balance")] AdmmBalance,
    /// <summary>ADMM with rho doubling.</summary>
    [JsonStringEnumMemberName("admm-double")] AdmmDouble,
}

/// <summary>The one place a method becomes its strategy, and the one method whose network differs.</summary>
public static class PositivityMethods
{
    /// <summary>Every method's command-line name.</summary>
    public static IReadOnlyList<string> Names { get; } = Choice.All<PositivityMethod>();

    /// <summary>The method named <paramref name="name"/>; an unknown name is an <see cref="ArgumentException"/> listing the methods.</summary>
    public static PositivityMethod Parse(string name) => Choice.Parse<PositivityMethod>(name, "method");

    /// <summary>Whether <paramref name="method"/> trains a network widened to the lift's parameter count
    /// (see <see cref="Training.MatchedCapacity"/>) instead of the configured one.</summary>
    public static bool MatchesLiftCapacity(PositivityMethod method) => method == PositivityMethod.SoftplusMatched;

    /// <summary>Whether <paramref name="method"/> makes its weights with a hypernetwork (which has a learning rate of its own).</summary>
    public static bool HasHypernetwork(PositivityMethod method) =>
        method is PositivityMethod.Lift or PositivityMethod.LiftNoBias or PositivityMethod.LiftFixed;

    /// <summary>Whether <paramref name="method"/> conditions on one fixed batch, which its creator must be given.</summary>
    public static bool NeedsFixedBatch(PositivityMethod method) => method == PositivityMethod.LiftFixed;

    /// <summary>Builds the strategy for <paramref name="method"/> over constrained weights of the given
    /// shapes, starting from <paramref name="initialWeights"/> (flat, non-negative). <paramref name="fixedBatch"/>:
    /// the batch lift-fixed conditions on (see <see cref="NeedsFixedBatch"/>).</summary>
    public static PositivityStrategy Create(PositivityMethod method, IReadOnlyList<long[]> shapes, Tensor initialWeights,
        int inputDimension, LiftOptions? lift, Generator generator, Tensor? fixedBatch = null) => method switch
    {
        PositivityMethod.Pgd => new ProjectedGradient(shapes, initialWeights),
        PositivityMethod.Softplus or PositivityMethod.SoftplusMatched => new SoftplusReparam(shapes, initialWeights),
        PositivityMethod.SoftplusBias => new SoftplusBiasReparam(shapes, initialWeights),
        PositivityMethod.Lift => new Lift(shapes, initialWeights, inputDimension, lift ?? new LiftOptions(), learnableBias: true, generator),
        PositivityMethod.LiftNoBias => new Lift(shapes, initialWeights, inputDimension, lift ?? new LiftOptions(), learnableBias: false, generator),
        PositivityMethod.LiftFixed => new Lift(shapes, initialWeights, inputDimension, lift ?? new LiftOptions(), learnableBias: true, generator,
            fixedBatch ?? throw new ArgumentException("lift-fixed needs the batch its body conditions on")),
        PositivityMethod.AdmmFixed => new Admm(shapes, initialWeights, AdmmSchedule.Fixed),
        PositivityMethod.AdmmBalance => new Admm(shapes, initialWeights, AdmmSchedule.ResidualBalancing),
        PositivityMethod.AdmmDouble => new Admm(shapes, initialWeights, AdmmSchedule.Doubling),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };
}
