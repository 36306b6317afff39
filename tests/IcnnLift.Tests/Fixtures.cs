using IcnnLift.Convex;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Tests;

/// <summary>A fresh temporary folder per test, deleted afterwards.</summary>
public abstract class TempFolderTest : IDisposable
{
    protected readonly string Folder = Directory.CreateTempSubdirectory("icnn-test-").FullName;

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}

internal static class TestNetworks
{
    /// <summary>An ICNN whose x-weights are all zero, so its hidden units are constants:
    /// E(x) = E(0) + (alpha/2)|x|^2 exactly, the density N(0, I/alpha).</summary>
    public static InputConvexNetwork Quadratic(int d, double alpha, int depth = 3)
    {
        var net = new InputConvexNetwork(new IcnnSpec(d, Width: 8, Depth: depth, Alpha: alpha), new Generator(1), ScalarType.Float64);
        using (no_grad())
            foreach (var (name, p) in net.named_parameters())
                if (name.EndsWith("weight")) p.zero_();
        return net;
    }
}
