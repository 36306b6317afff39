using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using IcnnLift.Data;
using IcnnLift.Training;

namespace IcnnLift.Studies;

/// <summary>
/// Runs training jobs, side by side, in worker processes (<paramref name="workerCommand"/>, which serves runs with
/// <see cref="RunWorker.Serve"/>) whose only busy thread is the one that calls libtorch. TorchSharp's Scalar (made implicitly from every
/// double passed to an op) frees its native handle in a finalizer and is not kept alive across the native
/// call that uses it, so a garbage collection started by another thread that allocates (a second run, a
/// progress bar) can free a scalar still in use: seen as a rare c10 "toDouble" error in Adam's step with two
/// runs on two threads of one process. A process per concurrent run also isolates crashes. A worker lives as long as
/// this executor's call and serves one run after another, so that the process start, the runtime's start and the
/// compilation of the code are paid once a worker, not once a run; a worker whose run failed is not reused.
/// This process claims each run folder (<see cref="OutputFolder"/>) before the run's specification goes to a worker and
/// commits it when the worker reports it done; the worker writes into the staging folder, and dies with this process
/// (<see cref="ProcessLifetime"/>). The first failure stops the other jobs unless keep-going is asked.
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

    /// <summary>Worker processes started by this executor so far (each serves one run after another).</summary>
    public int WorkersStarted => _workersStarted;

    private int _workersStarted;

    public JobOutcome RunAll(string description, IReadOnlyList<JobSpec> jobs, int parallelism,
        ExistingRun existing = ExistingRun.Refuse, bool keepGoing = false)
    {
        var finished = new ConcurrentDictionary<int, JobSpec>();
        var failed = new ConcurrentQueue<JobFailure>();
        var unexpected = new ConcurrentQueue<ExceptionDispatchInfo>();
        var queue = new ConcurrentQueue<int>(Enumerable.Range(0, jobs.Count));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        withProgress(description, jobs.Sum(j => (double)j.Config.Steps), advance =>
        {
            // One thread a worker, for the worker's whole life: the kernel's death signal (ProcessLifetime) follows the
            // thread that started the process, so a worker must never outlive the thread that started it.
            void Slot()
            {
                Worker? worker = null;
                try
                {
                    while (!stop.IsCancellationRequested && queue.TryDequeue(out int i))
                    {
                        try
                        {
                            if (RunOne(jobs[i], existing, advance, ref worker, stop.Token)) finished[i] = jobs[i];
                            else advance(jobs[i].Config.Steps);
                        }
                        catch (OperationCanceledException)
                        {
                            // Stopped by a failure or a signal: told below.
                        }
                        catch (Exception e) when (Failure(jobs[i], e) is { } failure)
                        {
                            failed.Enqueue(failure);
                            if (!keepGoing) stop.Cancel();
                        }
                    }
                }
                catch (Exception e)
                {
                    unexpected.Enqueue(ExceptionDispatchInfo.Capture(e));
                    stop.Cancel();
                }
                finally
                {
                    worker?.Dispose();
                }
            }
            var slots = Enumerable.Range(0, Math.Max(1, Math.Min(parallelism, jobs.Count))).Select(_ => new Thread(Slot)).ToList();
            foreach (var slot in slots) slot.Start();
            foreach (var slot in slots) slot.Join();
        });
        if (unexpected.TryPeek(out var crash)) crash.Throw();
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

    /// <summary>Runs one job on this slot's worker (started when there is none); false when it was skipped (its folder
    /// exists and <paramref name="existing"/> says skip). A worker whose run did not succeed is ended and forgotten.</summary>
    private bool RunOne(JobSpec job, ExistingRun existing, Action<double> advance, ref Worker? slot, CancellationToken stop)
    {
        if (existing == ExistingRun.Skip && File.Exists(Path.Combine(job.Output, "result.json"))) return false;
        using var folder = existing == ExistingRun.Claimed ? null : OutputFolder.Claim(job.Output, option: "run folder");
        stop.ThrowIfCancellationRequested();
        if (slot is null)
        {
            slot = new Worker(workerCommand);
            Interlocked.Increment(ref _workersStarted);
        }
        var worker = slot;
        bool reusable = false;
        try
        {
            IDisposable? killLater = null;
            bool done;
            using (stop.Register(() => killLater = ProcessLifetime.Stop(worker.Process, Grace)))
                done = worker.Run(folder is null ? job : job with { Output = folder.Staging }, advance);
            // No timer is made after the registration is gone.
            if (!done) worker.Process.WaitForExit();
            killLater?.Dispose();
            stop.ThrowIfCancellationRequested();
            if (!done)
            {
                int code = worker.Process.ExitCode;
                throw new JobFailedException($"run {job.Name}: {Explain(worker.Errors, code)}",
                    code == ExitCodes.BadInput ? ExitCodes.BadInput : ExitCodes.Failed);
            }
            folder?.Commit();
            reusable = true;
            return true;
        }
        finally
        {
            if (!reusable)
            {
                worker.Dispose();
                slot = null;
            }
        }
    }

    /// <summary>A worker process: specifications go in as lines on stdin, progress and <see cref="RunWorker.DoneLine"/>
    /// come back on stdout, stderr is kept for the message of a failure.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly StringBuilder _errors = new();

        public Worker(IReadOnlyList<string> command)
        {
            var start = new ProcessStartInfo(command[0])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in command.Skip(1)) start.ArgumentList.Add(arg);
            Process = ProcessLifetime.StartChild(start);
            Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_errors) _errors.AppendLine(e.Data); };
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        /// <summary>What the worker wrote on stderr during its current run.</summary>
        public string Errors { get { lock (_errors) return _errors.ToString(); } }

        /// <summary>Sends <paramref name="job"/> and reports its steps; true when the worker says it is done, false when
        /// the worker ended first (a failure: its exit code and stderr say which).</summary>
        public bool Run(JobSpec job, Action<double> advance)
        {
            lock (_errors) _errors.Clear();
            try
            {
                Process.StandardInput.WriteLine(JsonSerializer.Serialize(job, RunWorker.Line));
                Process.StandardInput.Flush();
            }
            catch (IOException)
            {
                // The worker ended before reading the specification; its stderr says why.
            }
            int done = 0;
            while (Process.StandardOutput.ReadLine() is { } line)
            {
                if (line == RunWorker.DoneLine) return true;
                if (line.StartsWith(RunWorker.ProgressPrefix, StringComparison.Ordinal)
                    && int.TryParse(line.AsSpan(RunWorker.ProgressPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int step))
                {
                    advance(step - done);
                    done = step;
                }
            }
            return false;
        }

        /// <summary>Closes stdin (an idle worker then ends by itself), and waits for the end, stopping a worker that does not.</summary>
        public void Dispose()
        {
            try
            {
                Process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It ended already.
            }
            if (!Process.WaitForExit(Grace)) using (ProcessLifetime.Stop(Process, Grace)) Process.WaitForExit();
            Process.Dispose();
        }
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
