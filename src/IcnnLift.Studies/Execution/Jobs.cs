using IcnnLift.Training;

namespace IcnnLift.Studies;

/// <summary>A run failed: its own one-line message, and the exit code it maps to (the command line's: 2 bad input, 1 anything else).</summary>
public sealed class JobFailedException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>One training run to do in a child process: its configuration, its data and its run folder.</summary>
public sealed record JobSpec(TrainConfig Config, DataSource Data, string Output, int Threads = 1)
{
    /// <summary>For messages: the data, the method and the seed.</summary>
    public string Name => $"{Data.Name}, {Config.MethodName}, seed {Config.Seed}";
}

/// <summary>What to do with a job whose run folder exists already.</summary>
public enum ExistingRun
{
    /// <summary>Refuse it (bad input).</summary>
    Refuse,
    /// <summary>Skip the job: a sweep's run finished by an earlier pass or another shard.</summary>
    Skip,
    /// <summary>The caller claimed the folder and gave its staging folder: write into it, neither claim nor commit.</summary>
    Claimed,
}

public sealed record JobFailure(JobSpec Job, string Message, int ExitCode);

/// <summary>The jobs that wrote their run folder now (in the given order), and those that failed (only with keep-going).</summary>
public sealed record JobOutcome(IReadOnlyList<JobSpec> Finished, IReadOnlyList<JobFailure> Failed);

/// <summary>Runs training jobs, each writing its run folder (the command line runs each in a process of its own).</summary>
public interface IRunExecutor
{
    /// <summary>Runs <paramref name="jobs"/>, <paramref name="parallelism"/> at a time. The first failure stops the others
    /// and is thrown as <see cref="JobFailedException"/>, unless <paramref name="keepGoing"/>; a cancellation is thrown as
    /// <see cref="OperationCanceledException"/>.</summary>
    JobOutcome RunAll(string description, IReadOnlyList<JobSpec> jobs, int parallelism, ExistingRun existing = ExistingRun.Refuse, bool keepGoing = false);
}

/// <summary>What a study needs from the program that runs it: an executor for training runs, progress for work done on
/// the calling thread (which must stay the only thread that calls libtorch), lines of news, and cancellation.</summary>
public interface IStudyHost
{
    IRunExecutor Runs { get; }

    /// <summary>Runs <paramref name="work"/> on this thread under a progress bar of <paramref name="total"/> units; each report
    /// of units done may throw <see cref="OperationCanceledException"/> once cancellation is asked.</summary>
    void WithProgress(string description, double total, Action<Action<double>> work);

    /// <summary>A line of news for a person (stderr in the command line).</summary>
    void Say(string line);

    CancellationToken Cancellation { get; }
}

/// <summary>A study stopped by cancellation; the message says what it kept and how to resume.</summary>
public sealed class StudyInterruptedException(string kept) : OperationCanceledException(kept);
