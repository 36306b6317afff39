using System.Text.Json.Serialization;
using IcnnLift.Convex;
using IcnnLift.Flows;

namespace IcnnLift.Training;

/// <summary>A named configuration of the network and its optimisation. A preset never touches the positivity method:
/// every method trains the same network the same way.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Preset>))]
public enum Preset
{
    /// <summary>Two-dimensional flows at CP-Flow's toy scale: one block of the cpflow network, depth 20, width 32,
    /// Gaussian softplus, alpha starting at 1 and learned, a base of scale 2; Adam at 5e-3 halved every 2,000 of
    /// 4,000 steps, batches of 128 from 20,000 training samples.</summary>
    [JsonStringEnumMemberName("cpflow-toy")] CpflowToy,
    /// <summary>Tabular flows (d of 6 to 21): four blocks of the cpflow network, depth 5, width 128, Gaussian softplus;
    /// Adam at 1e-3 with cosine decay over 4,000 steps, batches of 256. CP-Flow's tabular recipe at the scale a
    /// laptop runs, not tuned here.</summary>
    [JsonStringEnumMemberName("cpflow-tabular")] CpflowTabular,
}

/// <summary>The named presets' configurations.</summary>
public static class Presets
{
    /// <summary>The preset's configuration (on top of the defaults) and the training-set size it asks for when
    /// samples are drawn from a known target (null: the command's default).</summary>
    public static (TrainConfig Config, int? TrainSize) Of(Preset preset)
    {
        var cpflow = new TrainConfig
        {
            Task = DensityTask.Flow,
            Architecture = IcnnArchitecture.CpFlow,
            Activation = Activation.GaussianSoftplus,
            Alpha = 1,
            Steps = 4000,
        };
        return preset switch
        {
            Preset.CpflowToy => (cpflow with
            {
                Blocks = 1, Depth = 20, Width = 32, BatchSize = 128, LearningRate = 5e-3, Schedule = LearningRateSchedule.Step(2000, 0.5),
                Flow = new FlowOptions(BaseScale: 2), EvalEvery = 100,
            }, 20_000),
            Preset.CpflowTabular => (cpflow with
            {
                Blocks = 4, Depth = 5, Width = 128, BatchSize = 256, LearningRate = 1e-3, Schedule = LearningRateSchedule.Cosine, EvalEvery = 100,
            }, null),
            _ => throw new ArgumentOutOfRangeException(nameof(preset)),
        };
    }
}
