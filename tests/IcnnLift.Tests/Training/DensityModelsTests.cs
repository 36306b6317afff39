using IcnnLift.Positivity;
using IcnnLift.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Training;

public class DensityModelsTests
{
    /// <summary>The normalisations are initialised from the first rows only: rows beyond them, however far out, change nothing.</summary>
    [Fact]
    public void Initialisation_reads_only_the_first_rows()
    {
        var (config, _) = Presets.Of(Preset.CpflowToy);
        config = config with { Depth = 4, Width = 8, Method = PositivityMethod.Pgd };
        var first = randn([DensityModels.InitializationRows, 2], ScalarType.Float32, generator: new Generator(1));
        var far = randn([500, 2], ScalarType.Float32, generator: new Generator(2)).mul(100).add(50);
        using var a = DensityModels.Create(config, 2, new Generator(0), first).Module;
        using var b = DensityModels.Create(config, 2, new Generator(0), cat([first, far])).Module;
        var (pa, pb) = (a.state_dict(), b.state_dict());
        Assert.NotEmpty(pa);
        foreach (var (name, value) in pa) Assert.True(value.eq(pb[name]).all().item<bool>(), name);
    }
}
