using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using IcnnLift.Data;
using IcnnLift.Training;

namespace IcnnLift.Studies;

/// <summary>
/// Runs training jobs, side by side, each in a process of its own (<paramref name="workerCommand"/>, which serves one
/// run with <see cref="RunWorker.Serve"/>) whose only busy thread is the one that calls libtorch. TorchSharp's Scalar (made implicitly from every
/// double passed to an op) frees its native handle in a finalizer and is not kept alive across the native
/// call that uses it, so a garbage collection started by another thread that allocates (a second run, a
/// progress bar) can free a scalar still in use: seen as a rare c10 "toDouble" error in Adam's step with two
/// runs on two threads of one process. A process per run also isolates crashes.
/// This process claims each run folder (<see cref="OutputFolder"/>) before its child starts and commits it when
/// the child succeeds; the child gets its specification on stdin, writes into the staging folder, and dies with
/// this process (<see cref="ProcessLifetime"/>). The first failure stops the other jobs unless keep-going is asked.
/// </summary>
/// <param name="workerCommand">The program and arguments that start a worker.</param>
/// <param name="withProgress">Runs its work under a progress bar (see <see cref="IStudyHost.WithProgress"/>); the
/// bar's reports come from the threads that watch the children.</param>
/// <param name="cancellation">Stops the runs (SIGTERM to each child, SIGKILL after a grace period).</param>
public sealed class ProcessRunExecutor(IReadOnlyList<string> workerCommand, ProgressBar withProgress, CancellationToken cancellation)
    : IRunExecutor
{
    /// <summary>How long a child asked to stop may take to remove what it was writing.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    public JobOutcome RunAll(string description, IReadOnlyList<JobSpec> jobs, int parallelism,
        ExistingRun existing = ExistingRun.Refuse, bool keepGoing = false)
    {
        var finished = new ConcurrentDictionary<int, JobSpec>();
        var failed = new ConcurrentQueue<JobFailure>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        withProgress(description, jobs.Sum(j => (double)j.Config.Steps), advance =>
        {
            try
            {
                var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = stop.Token };
                Parallel.For(0, jobs.Count, options, i =>
                {
                    try
                    {
                        if (RunOne(jobs[i], existing, advance, stop.Token)) finished[i] = jobs[i];
                        else advance(jobs[i].Config.Steps);
                    }
                    catch (Exception e) when (Failure(jobs[i], e) is { } failure)
                    {
                        failed.Enqueue(failure);
                        if (!keepGoing) stop.Cancel();
                    }
                });
            }
            catch (Exception e) when (e is OperationCanceledException
                || e is AggregateException a && a.InnerExceptions.All(x => x is OperationCanceledException))
            {
                // Stopped by a failure or a signal: told below.
            }
        });
        cancellation.ThrowIfCancellationRequested();
        if (!keepGoing && failed.TryPeek(out var first)) throw new JobFailedException(first.Message, first.ExitCode);
        return new JobOutcome(finished.OrderBy(kv => kv.Key).Select(kv => kv.Value).ToList(), failed.ToList());
    }

    /// <summary>A job's failure as the user should read it; null for a job stopped because another failed.</summary>
    private static JobFailure? Failure(JobSpec job, Exception e) => e switch
    {
        JobFailedException f => new JobFailure(job, f.Message, f.ExitCode),
        InputException => new JobFailure(job, e.Message, ExitCodes.BadInput),
        IOException or UnauthorizedAccessException => new JobFailure(job, e.Message, ExitCodes.Failed),
        _ => null,
    };

    /// <summary>Runs one job; false when it was skipped (its folder exists and <paramref name="existing"/> says skip).</summary>
    private bool RunOne(JobSpec job, ExistingRun existing, Action<double> advance, CancellationToken stop)
    {
        if (existing == ExistingRun.Skip && File.Exists(Path.Combine(job.Output, "result.json"))) return false;
        using var folder = existing == ExistingRun.Claimed ? null : OutputFolder.Claim(job.Output, option: "run folder");
        var start = new ProcessStartInfo(workerCommand[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in workerCommand.Skip(1)) start.ArgumentList.Add(arg);
        stop.ThrowIfCancellationRequested();
        using var process = ProcessLifetime.StartChild(start);
        IDisposable? killLater = null;
        using var stopChild = stop.Register(() => killLater = ProcessLifetime.Stop(process, Grace));
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var spec = folder is null ? job : job with { Output = folder.Staging };
            process.StandardInput.Write(JsonSerializer.Serialize(spec, RunFolder.Json));
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child ended before reading its specification; its stderr says why.
        }
        int done = 0;
        while (process.StandardOutput.ReadLine() is { } line)
            if (line.StartsWith(RunWorker.ProgressPrefix, StringComparison.Ordinal)
                && int.TryParse(line.AsSpan(RunWorker.ProgressPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int step))
            {
                advance(step - done);
                done = step;
            }
        process.WaitForExit();
        stopChild.Dispose(); // no timer is made after this
        killLater?.Dispose();
        stop.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
            throw new JobFailedException($"run {job.Name}: {Explain(stderr.Result, process.ExitCode)}",
                process.ExitCode == ExitCodes.BadInput ? ExitCodes.BadInput : ExitCodes.Failed);
        folder?.Commit();
        return true;
    }

    /// <summary>One line from a failed child's stderr: its own error line, else a native library's message, else
    /// the last line that is not a stack frame.</summary>
    internal static string Explain(string stderr, int exitCode)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        const string error = "error: ", what = "what():", unhandled = "Unhandled exception. ";
        if (lines.LastOrDefault(l => l.StartsWith(error, StringComparison.Ordinal)) is { } own) return own[error.Length..];
        if (lines.FirstOrDefault(l => l.StartsWith(what, StringComparison.Ordinal)) is { } native) return native[what.Length..].Trim();
        if (lines.FirstOrDefault(l => l.StartsWith(unhandled, StringComparison.Ordinal)) is { } crash) return crash[unhandled.Length..];
        return lines.LastOrDefault(l => !l.StartsWith("at ", StringComparison.Ordinal)) ?? $"the process ended with exit code {exitCode}";
    }

    /// <summary>The dotnet host of the running runtime (to start a framework-dependent program).</summary>
    public static string DotnetHost()
    {
        var host = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var fromRuntime = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", host));
        return File.Exists(fromRuntime) ? fromRuntime : "dotnet";
    }
}

/// <summary>Runs <c>work</c> under a progress bar of <c>total</c> units; <c>work</c> reports units done through the
/// callback, from any thread.</summary>
public delegate void ProgressBar(string description, double total, Action<Action<double>> work);
