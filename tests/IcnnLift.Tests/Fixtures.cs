using IcnnLift.Convex;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Tests;

/// <summary>Paths in the repository the tests were built from (the first folder above the test binaries that holds IcnnLift.slnx).</summary>
internal static class Repository
{
    public static readonly string Root = Find(new DirectoryInfo(AppContext.BaseDirectory));

    private static string Find(DirectoryInfo? folder) => folder is null ? throw new DirectoryNotFoundException("IcnnLift.slnx above the tests")
        : File.Exists(System.IO.Path.Combine(folder.FullName, "IcnnLift.slnx")) ? folder.FullName : Find(folder.Parent);

    /// <summary>The full path of <paramref name="parts"/> under the repository's root.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}

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
