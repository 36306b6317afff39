using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using IcnnLift.Training;

namespace IcnnLift.Cli;

/// <summary>A run's process ended with an error; the message carries the end of its stderr.</summary>
internal sealed class JobFailedException(string message) : Exception(message);

/// <summary>One training run to do in a child process: its configuration, its data and its run folder.</summary>
internal sealed record JobSpec(TrainConfig Config, DataSource Data, string Output, int Threads = 1)
{
    /// <summary>For messages: the method, the seed and the run folder's name.</summary>
    public string Name => $"{Config.Method}-seed{Config.Seed}-{Path.GetFileName(Output)}";
}

/// <summary>
/// Runs training jobs, side by side, each in its own process of this program (the hidden <c>job</c> command)
/// whose only busy thread is the one that calls libtorch. TorchSharp's Scalar (made implicitly from every
/// double passed to an op) frees its native handle in a finalizer and is not kept alive across the native
/// call that uses it, so a garbage collection started by another thread that allocates (a second run, a
/// progress bar) can free a scalar still in use: seen as a rare c10 "toDouble" error in Adam's step with two
/// runs on two threads of one process. A process per run also isolates crashes.
/// </summary>
internal static class JobRunner
{
    public const string ProgressPrefix = "step ";

    /// <summary>Runs <paramref name="jobs"/>, <paramref name="parallelism"/> at a time, under one progress bar of
    /// their steps; each writes its own run folder. Their specifications live in a temporary folder, removed after.</summary>
    public static void RunAll(string description, IReadOnlyList<JobSpec> jobs, int parallelism)
    {
        var scratch = Directory.CreateTempSubdirectory("icnn-lift-jobs-").FullName;
        try
        {
            Terminal.WithProgress(description, jobs.Sum(j => (double)j.Config.Steps), advance =>
                Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, i => RunOne(jobs[i], i, advance, scratch)));
        }
        catch (AggregateException e) when (e.InnerExceptions[0] is JobFailedException failed)
        {
            throw failed;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static void RunOne(JobSpec job, int index, Action<double> advance, string scratch)
    {
        var specPath = Path.Combine(scratch, $"{index:D5}-{job.Name}.json");
        File.WriteAllText(specPath, JsonSerializer.Serialize(job, RunFolder.Json));
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { typeof(App).Assembly.Location, "job", "--spec", specPath }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start a process for run {job.Name}");
        var stderr = process.StandardError.ReadToEndAsync();
        int done = 0;
        while (process.StandardOutput.ReadLine() is { } line)
            if (line.StartsWith(ProgressPrefix, StringComparison.Ordinal) && int.TryParse(line.AsSpan(ProgressPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int step))
            {
                advance(step - done);
                done = step;
            }
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            var lastLines = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3);
            throw new JobFailedException($"run {job.Name} failed (exit code {process.ExitCode}): {string.Join(" | ", lastLines)}");
        }
    }

    /// <summary>The dotnet host of the running runtime (this program is framework-dependent).</summary>
    private static string DotnetHost()
    {
        var fromRuntime = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"));
        return File.Exists(fromRuntime) ? fromRuntime : "dotnet";
    }
}
