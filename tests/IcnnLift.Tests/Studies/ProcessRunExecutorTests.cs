using IcnnLift.Cli;
using IcnnLift.Studies;
using IcnnLift.Training;
using Xunit;

namespace IcnnLift.Tests.Studies;

/// <summary>The executor with the program's real worker (<c>icnn-lift job</c>).</summary>
public sealed class ProcessRunExecutorTests : TempFolderTest
{
    private static readonly TrainConfig Tiny = new() { Steps = 20, Width = 8, Depth = 2, EvalEvery = 10, GridPoints = 128 };

    private static ProcessRunExecutor Executor() => new(CliHost.WorkerCommand, (_, _, work) => work(_ => { }), CancellationToken.None);

    private JobSpec Job(int seed, string name, DataSource? data = null) =>
        new(Tiny with { Seed = seed }, data ?? new DataSource("gumbel", null, 200, 100, 200), Path.Combine(Folder, name));

    private static string Result(JobSpec job) =>
        string.Join("\n", File.ReadAllLines(Path.Combine(job.Output, "result.json")).Where(l => !l.Contains("\"seconds\"", StringComparison.Ordinal)));

    [Fact]
    public void One_worker_serves_every_run_and_a_run_is_the_same_in_a_used_worker()
    {
        var executor = Executor();
        JobSpec[] jobs = [Job(0, "a"), Job(1, "b"), Job(0, "c")];
        var outcome = executor.RunAll("tiny", jobs, parallelism: 1);
        Assert.Equal(jobs, outcome.Finished);
        Assert.Equal(1, executor.WorkersStarted);
        Assert.Equal(Result(jobs[0]), Result(jobs[2])); // seed 0 first in a new worker, then after two runs
        Assert.NotEqual(Result(jobs[0]), Result(jobs[1]));
    }

    [Fact]
    public void A_failed_run_takes_its_worker_with_it_and_the_others_still_run()
    {
        var csv = Path.Combine(Folder, "bad.csv");
        File.WriteAllLines(csv, ["x", "1.5", "abc", "2.5"]);
        var executor = Executor();
        JobSpec[] jobs = [Job(0, "a"), Job(0, "bad", new DataSource(null, csv)), Job(1, "b")];
        var outcome = executor.RunAll("tiny", jobs, parallelism: 1, keepGoing: true);
        Assert.Equal([jobs[0], jobs[2]], outcome.Finished);
        var failure = Assert.Single(outcome.Failed);
        Assert.Equal(2, failure.ExitCode);
        Assert.Contains("bad.csv", failure.Message);
        Assert.False(Directory.Exists(jobs[1].Output));
    }
}
