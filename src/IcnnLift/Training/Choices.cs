using System.Text.Json.Serialization;

namespace IcnnLift.Training;

/// <summary>The density model a run trains: a log-concave energy model or a convex-potential flow.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DensityTask>))]
public enum DensityTask
{
    /// <summary>A log-concave energy model exp(-E(x)) / Z.</summary>
    [JsonStringEnumMemberName("ebm")] Ebm,
    /// <summary>A convex-potential flow.</summary>
    [JsonStringEnumMemberName("flow")] Flow,
}

/// <summary>The optimiser: Adam, or SGD with momentum (<see cref="TrainConfig.SgdMomentum"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
public enum OptimizerKind
{
    /// <summary>Adam.</summary>
    [JsonStringEnumMemberName("adam")] Adam,
    /// <summary>SGD with momentum.</summary>
    [JsonStringEnumMemberName("sgd")] Sgd,
}

/// <summary>The floating-point type of a run's tensors.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NumericPrecision>))]
public enum NumericPrecision
{
    /// <summary>Single precision.</summary>
    [JsonStringEnumMemberName("float32")] Float32,
    /// <summary>Double precision.</summary>
    [JsonStringEnumMemberName("float64")] Float64,
}
