using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Training;

/// <summary>The kinds of <see cref="LearningRateSchedule"/>.</summary>
public enum ScheduleKind
{
    /// <summary>The rate throughout.</summary>
    Constant,
    /// <summary>The rate times gamma every StepSize steps.</summary>
    Step,
    /// <summary>Cosine annealing from the rate to zero over the run.</summary>
    Cosine,
}

/// <summary>
/// How the learning rate changes over a run: constant; step decay (every parameter group's rate multiplied by
/// <see cref="Gamma"/> every <see cref="StepSize"/> steps, as CP-Flow halves its rate every 2,000); or cosine annealing
/// from the rate to zero over the run. It scales every group alike, so the lift's hypernetwork keeps its rate's ratio to
/// the network's, and it is the same for every method. Written by its command-line name ("step:2000:0.5").
/// </summary>
[JsonConverter(typeof(LearningRateScheduleJsonConverter))]
public sealed record LearningRateSchedule(ScheduleKind Kind, int StepSize = 0, double Gamma = 1)
{
    /// <summary>The rate throughout.</summary>
    public static LearningRateSchedule Constant { get; } = new(ScheduleKind.Constant);
    /// <summary>Cosine annealing to zero.</summary>
    public static LearningRateSchedule Cosine { get; } = new(ScheduleKind.Cosine);
    /// <summary>The rate times <paramref name="gamma"/> every <paramref name="stepSize"/> steps.</summary>
    public static LearningRateSchedule Step(int stepSize, double gamma = 0.5) => Validated(new(ScheduleKind.Step, stepSize, gamma));

    /// <summary>Parses "constant", "cosine" and "step:N[:gamma]" (gamma 0.5 when not given).</summary>
    public static LearningRateSchedule Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split(':');
        return (parts[0], parts.Length) switch
        {
            ("constant", 1) => Constant,
            ("cosine", 1) => Cosine,
            ("step", 2 or 3) => Step(int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int size) ? size
                    : throw new ArgumentException($"--lr-schedule {text}: '{parts[1]}' is not a whole number of steps"),
                parts.Length == 2 ? 0.5 : double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double gamma) ? gamma
                    : throw new ArgumentException($"--lr-schedule {text}: '{parts[2]}' is not a number")),
            _ => throw new ArgumentException($"--lr-schedule: unknown schedule '{text}' (constant, cosine, step:N[:gamma])"),
        };
    }

    private static LearningRateSchedule Validated(LearningRateSchedule s) =>
        s.StepSize <= 0 ? throw new ArgumentException($"--lr-schedule step:{s.StepSize}: the step size must be a positive number of steps")
        : !(s.Gamma > 0 && s.Gamma <= 1) ? throw new ArgumentException(
            FormattableString.Invariant($"--lr-schedule step:{s.StepSize}:{s.Gamma}: gamma must be in (0, 1]"))
        : s;

    /// <summary>The command-line name ("step:2000:0.5").</summary>
    public override string ToString() => Kind switch
    {
        ScheduleKind.Step => FormattableString.Invariant($"step:{StepSize}:{Gamma}"),
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>TorchSharp's scheduler for an optimiser of a run of <paramref name="steps"/> steps (stepped once after each
    /// optimiser step); null for a constant rate.</summary>
    public optim.lr_scheduler.LRScheduler? Create(optim.Optimizer optimizer, int steps) => Kind switch
    {
        ScheduleKind.Step => optim.lr_scheduler.StepLR(optimizer, StepSize, Gamma),
        ScheduleKind.Cosine => optim.lr_scheduler.CosineAnnealingLR(optimizer, steps),
        _ => null,
    };
}

internal sealed class LearningRateScheduleJsonConverter : JsonConverter<LearningRateSchedule>
{
    public override LearningRateSchedule Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        LearningRateSchedule.Parse(reader.GetString() ?? throw new JsonException("a learning-rate schedule is a string"));

    public override void Write(Utf8JsonWriter writer, LearningRateSchedule value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
