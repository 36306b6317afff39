using static TorchSharp.torch;

namespace IcnnLift.Positivity;

/// <summary>The methods behind the positivity seam, by their command-line names.</summary>
public static class PositivityMethod
{
    public const string Pgd = "pgd";
    public const string Softplus = "softplus";
    public const string SoftplusBias = "softplus-bias";
    /// <summary>Direct softplus on a network widened to the lift's parameter count (the matched-capacity control).</summary>
    public const string SoftplusMatched = "softplus-matched";
    public const string Lift = "lift";
    public const string LiftNoBias = "lift-nobias";
    public const string AdmmFixed = "admm";
    public const string AdmmBalance = "admm-balance";
    public const string AdmmDouble = "admm-double";

    public static IReadOnlyList<string> All { get; } = [Pgd, Softplus, SoftplusBias, SoftplusMatched, Lift, LiftNoBias, AdmmFixed, AdmmBalance, AdmmDouble];

    public static string Validate(string name)
    {
        var normalized = name.Trim().ToLowerInvariant();
        return All.Contains(normalized)
            ? normalized
            : throw new ArgumentException($"unknown method '{name}' ({string.Join(", ", All)})");
    }

    /// <summary>Builds the strategy for <paramref name="method"/> over constrained weights of the given
    /// shapes, starting from <paramref name="initialWeights"/> (flat, non-negative).</summary>
    public static PositivityStrategy Create(string method, IReadOnlyList<long[]> shapes, Tensor initialWeights,
        int inputDimension, LiftOptions? lift, Generator generator) => Validate(method) switch
    {
        Pgd => new ProjectedGradient(shapes, initialWeights),
        Softplus or SoftplusMatched => new SoftplusReparam(shapes, initialWeights),
        SoftplusBias => new SoftplusBiasReparam(shapes, initialWeights),
        Lift => new Positivity.Lift(shapes, initialWeights, inputDimension, lift ?? new LiftOptions(), learnableBias: true, generator),
        LiftNoBias => new Positivity.Lift(shapes, initialWeights, inputDimension, lift ?? new LiftOptions(), learnableBias: false, generator),
        AdmmFixed => new Admm(shapes, initialWeights, AdmmSchedule.Fixed),
        AdmmBalance => new Admm(shapes, initialWeights, AdmmSchedule.ResidualBalancing),
        AdmmDouble => new Admm(shapes, initialWeights, AdmmSchedule.Doubling),
        _ => throw new InvalidOperationException(method),
    };
}
