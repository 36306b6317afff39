using System.Diagnostics;
using System.Globalization;
using IcnnLift.Data;
using IcnnLift.Training;
using Xunit;

namespace IcnnLift.Tests.Cli;

/// <summary>A run's portable weights: model.safetensors in every run folder, `export`, and python/icnn_lift_reader.py,
/// a NumPy-only reader that must give the log-density `density` gives (the reference here is computed outside the
/// C# code under test: by the Python reader, from the file alone).</summary>
[Collection("console")]
public sealed class ExportTests : TempFolderTest
{
    private static (int Code, string Out, string Err) Run(params string[] args) => InProcess.Run(args);

    private static readonly string[] Quick = ["--steps", "30", "--eval-every", "10", "--n-train", "300", "--n-validation", "100", "--n-test", "200"];

    private string File(string name, string text)
    {
        var path = Path.Combine(Folder, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A Python 3 that has NumPy (the one on PATH, or Debian's python3-numpy), or null.</summary>
    private static readonly string? PythonWithNumpy = new[] { "python3", "/usr/bin/python3" }.FirstOrDefault(python =>
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo(python, ["-c", "import numpy"]) { RedirectStandardError = true })!;
            probe.WaitForExit();
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    });

    /// <summary>A theory that needs NumPy: skipped, saying so, where there is none, unless ICNN_LIFT_REQUIRE_NUMPY=1 (.ci/run
    /// sets it and installs python3-numpy), where it runs and fails without NumPy.</summary>
    public sealed class NumpyTheoryAttribute : TheoryAttribute
    {
        public NumpyTheoryAttribute()
        {
            if (PythonWithNumpy is null && Environment.GetEnvironmentVariable("ICNN_LIFT_REQUIRE_NUMPY") != "1")
                Skip = "needs Python 3 with NumPy (Debian: apt-get install python3-numpy)";
        }
    }

    private static double[] PythonLogDensity(string model, string points)
    {
        var start = new ProcessStartInfo(PythonWithNumpy ?? throw new InvalidOperationException("no Python 3 with NumPy"), [Repository.Path("python", "icnn_lift_reader.py"), model, points])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var python = Process.Start(start)!;
        var output = python.StandardOutput.ReadToEnd();
        var error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    private double[] DensityLogDensity(string run, string points)
    {
        var output = Path.Combine(Folder, $"{Guid.NewGuid():N}.csv");
        Assert.Equal(0, Run("density", "--model", run, "--points", points, "--out", output).Code);
        return System.IO.File.ReadAllLines(output).Skip(1)
            .Select(l => double.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture)).ToArray();
    }

    public static TheoryData<string, string[], string> Models => new()
    {
        // An energy model with the Gaussian base and ELU; a two-block CP-Flow (cpflow layers, Gaussian softplus, activation
        // normalisation); float32, as runs are by default.
        { "energy", ["--target", "gumbel", "--base", "gaussian", "--activation", "elu:0.5", "--width", "16"], "x\n-1\n0\n1.5\n4\n" },
        { "flow", ["--target", "8gaussians", "--preset", "cpflow-toy", "--depth", "4", "--blocks", "2"], "0.5,1\n-2,0.3\n3,-3\n0,0\n" },
        // In 6-D the log-normaliser is importance-sampled, with draws made afresh when a run folder is loaded.
        { "energy-6d", ["--target", "tabular-6d", "--width", "16"], "0,0,0,0,0,0\n0.5,-0.2,0.1,0.3,-1,0.2\n" },
    };

    [NumpyTheory]
    [MemberData(nameof(Models))]
    public void The_python_reader_gives_the_log_density_that_density_gives(string name, string[] options, string points)
    {
        var run = Path.Combine(Folder, name);
        Assert.Equal(0, Run(["train", .. options, "--out", run, .. Quick]).Code);
        var pointsFile = File($"{name}.csv", points);
        var expected = DensityLogDensity(run, pointsFile);
        var fromPython = PythonLogDensity(Path.Combine(run, "model.safetensors"), pointsFile);
        Assert.Equal(expected.Length, fromPython.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - fromPython[i]) < 1e-5, $"point {i}: {expected[i]} vs {fromPython[i]}");

        // export writes the same file the run folder holds, and the PyTorch format holds the same tensors and metadata.
        var exported = Path.Combine(Folder, $"{name}.safetensors");
        Assert.Equal(0, Run("export", "--model", run, "--out", exported).Code);
        Assert.Equal(System.IO.File.ReadAllBytes(Path.Combine(run, "model.safetensors")), System.IO.File.ReadAllBytes(exported));
        var pytorch = Path.Combine(Folder, $"{name}.pt");
        Assert.Equal(0, Run("export", "--model", run, "--format", "pytorch", "--out", pytorch).Code);
        var (tensors, metadata) = Safetensors.Read(exported);
        var pickled = TorchSharp.PyBridge.PyTorchUnpickler.UnpickleStateDict(pytorch);
        Assert.Equal(tensors.Keys.Append(PortableWeights.MetadataTensor).Order(), pickled.Keys.Cast<string>().Order());
        foreach (var (key, value) in tensors) Assert.True(value.allclose((TorchSharp.torch.Tensor)pickled[key]!, rtol: 0, atol: 0), key);
        var json = ((TorchSharp.torch.Tensor)pickled[PortableWeights.MetadataTensor]!).bytes.ToArray();
        Assert.Equal(metadata, System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(json));
    }

    public static TheoryData<string[], string> BadExports => new()
    {
        { ["--model", "."], "not a run folder" },
        { ["--model", "RUN", "--format", "onnx"], "unknown format 'onnx' (safetensors, pytorch)" },
        { ["--model", "RUN", "--out", "EXISTING"], "the file exists" },
    };

    [Theory]
    [MemberData(nameof(BadExports))]
    public void A_bad_export_gives_one_line_and_exit_code_2_and_writes_nothing(string[] args, string expected)
    {
        var run = Path.Combine(Folder, "run");
        Assert.Equal(0, Run(["train", "--target", "gumbel", "--out", run, "--width", "8", "--depth", "2", .. Quick]).Code);
        var existing = File("existing.safetensors", "keep me");
        var output = Path.Combine(Folder, "out.safetensors");
        var full = args.Select(a => a switch { "RUN" => run, "EXISTING" => existing, _ => a }).ToList();
        if (!full.Contains("--out")) full.AddRange(["--out", output]);
        var (code, _, err) = Run(["export", .. full]);
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(System.IO.File.Exists(output));
        Assert.Equal("keep me", System.IO.File.ReadAllText(existing));
    }
}
