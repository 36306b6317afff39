using System.Text.Json.Serialization;

namespace IcnnLift.Training;

/// <summary>The density model a run trains: a log-concave energy model or a convex-potential flow.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DensityTask>))]
public enum DensityTask
{
    [JsonStringEnumMemberName("ebm")] Ebm,
    [JsonStringEnumMemberName("flow")] Flow,
}

/// <summary>The optimiser: Adam, or SGD with momentum (<see cref="TrainConfig.SgdMomentum"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
public enum OptimizerKind
{
    [JsonStringEnumMemberName("adam")] Adam,
    [JsonStringEnumMemberName("sgd")] Sgd,
}

/// <summary>The floating-point type of a run's tensors.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NumericPrecision>))]
public enum NumericPrecision
{
    [JsonStringEnumMemberName("float32")] Float32,
    [JsonStringEnumMemberName("float64")] Float64,
}

/// <summary>Closed sets by their command-line and config.json names (a member's name in lower case): parsed once, at
/// the edge, with the one-line message bad input gets.</summary>
public static class Choice
{
    public static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static T Parse<T>(string text, string what) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
            if (Name(value) == text.Trim().ToLowerInvariant()) return value;
        throw new ArgumentException($"unknown {what} '{text}' ({string.Join(", ", Enum.GetValues<T>().Select(Name))})");
    }
}
