using System.Text.RegularExpressions;
using IcnnLift.Runtime;
using IcnnLift.Targets;
using IcnnLift.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Runtime;

/// <summary>The run's device reaches what a run makes. Only the CPU build of libtorch is available to us, so what
/// can be checked here is the wiring: the process's device is the one asked for, nothing makes a random generator
/// or reads tensor data around it, and CUDA is refused with one line where libtorch has none.</summary>
public class TorchRuntimeTests
{
    private static IEnumerable<(string File, string Text)> LibrarySources()
    {
        var src = Repository.Path("src");
        return new[] { "IcnnLift", "IcnnLift.Studies" }
            .SelectMany(project => Directory.EnumerateFiles(Path.Combine(src, project), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(f => (Path.GetRelativePath(src, f), File.ReadAllText(f)));
    }

    [Fact]
    public void Every_random_generator_is_made_on_the_runs_device_and_every_data_read_copies_to_the_cpu()
    {
        var offending = LibrarySources().Where(s => !s.File.EndsWith("TorchRuntime.cs", StringComparison.Ordinal))
            .SelectMany(s => Regex.Matches(s.Text, @"new (torch\.)?Generator\(|(?<!\.cpu\(\))\.data<").Select(m => $"{s.File}: {m.Value}"))
            .ToList();
        Assert.Empty(offending);
    }

    [Fact]
    public void A_run_makes_its_tensors_on_the_device_it_asks_for()
    {
        TorchRuntime.Initialize(1, ComputeDevice.Cpu);
        var target = Target.Get("gumbel");
        var config = new TrainConfig { Steps = 3, EvalEvery = 3, NoiseBatches = 0, CrossCovarianceWindow = 0 };
        var model = Trainer.Train(config, IcnnLift.Data.Dataset.FromTarget(target, 64, 64, 64, seed: 0), target);
        Assert.All(model.Model.Module.parameters(), p => Assert.Equal(TorchRuntime.Device.type, p.device_type));
        Assert.Equal(TorchRuntime.Device.type, TorchRuntime.NewGenerator(0).device.type);
        Assert.Equal(TorchRuntime.Device.type, zeros(1).device_type);
    }

    [Fact]
    public void Cuda_is_refused_with_one_line_where_libtorch_has_none_and_the_device_stays()
    {
        if (cuda.is_available()) return; // a CUDA build: nothing to refuse
        var error = Assert.Throws<ArgumentException>(() => TorchRuntime.Initialize(1, ComputeDevice.Cuda));
        Assert.StartsWith("--device cuda: this libtorch has no CUDA device", error.Message);
        Assert.Equal(DeviceType.CPU, TorchRuntime.Device.type);
    }
}
