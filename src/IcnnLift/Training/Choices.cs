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
