using System.Text.Json;
using IcnnLift.Runtime;
using IcnnLift.Training;

namespace IcnnLift.Studies;

/// <summary>The child's side of <see cref="ProcessRunExecutor"/>: one run, its specification (JSON) read from stdin,
/// its steps reported on stdout, its files written into the staging folder the parent claimed.</summary>
public static class RunWorker
{
    /// <summary>What starts a progress line on stdout (the rest is the step reached).</summary>
    public const string ProgressPrefix = "step ";

    public static void Serve(TextReader input, TextWriter output, CancellationToken cancellation)
    {
        ProcessLifetime.DieWithParent();
        var job = JsonSerializer.Deserialize<JobSpec>(input.ReadToEnd(), RunFolder.Json)
            ?? throw new InvalidOperationException("empty job specification");
        TorchRuntime.Initialize(job.Threads);
        var model = Trainer.Train(job.Config, job.Data.ForSeed(job.Config.Seed), job.Data.Target, progress =>
        {
            cancellation.ThrowIfCancellationRequested();
            if (progress.Step % 10 == 0 || progress.Step == job.Config.Steps) output.WriteLine($"{ProgressPrefix}{progress.Step}");
        });
        RunFolder.WriteInto(job.Output, job.Config, model);
        output.WriteLine($"{ProgressPrefix}{job.Config.Steps}"); // a run stopped early still fills its share of the bar
    }
}
