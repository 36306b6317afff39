using System.Text.Json;
using IcnnLift.Runtime;
using IcnnLift.Training;

namespace IcnnLift.Studies;

/// <summary>The child's side of <see cref="ProcessRunExecutor"/>: runs one after another, each specification a line of
/// JSON on stdin, its steps reported on stdout and its end by <see cref="DoneLine"/>, its files written into the staging
/// folder the parent claimed. It serves until stdin closes, so that its compiled code serves every run; a run that fails
/// ends the process with the failure's exit code and message, as a run of its own would.</summary>
public static class RunWorker
{
    /// <summary>What starts a progress line on stdout (the rest is the step reached).</summary>
    public const string ProgressPrefix = "step ";

    /// <summary>The line that says a run's folder is written and the worker waits for the next.</summary>
    public const string DoneLine = "done";

    /// <summary>How a specification travels: one line.</summary>
    public static readonly JsonSerializerOptions Line = new(RunFolder.Json) { WriteIndented = false };

    public static void Serve(TextReader input, TextWriter output, CancellationToken cancellation)
    {
        ProcessLifetime.DieWithParent();
        while (input.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            var job = JsonSerializer.Deserialize<JobSpec>(line, Line) ?? throw new InvalidOperationException("empty job specification");
            TorchRuntime.Initialize(job.Threads, job.Config.Device);
            var model = Trainer.Train(job.Config, job.Data.ForSeed(job.Config.Seed), job.Data.Target, progress =>
            {
                cancellation.ThrowIfCancellationRequested();
                if (progress.Step % 10 == 0 || progress.Step == job.Config.Steps) output.WriteLine($"{ProgressPrefix}{progress.Step}");
            });
            RunFolder.WriteInto(job.Output, job.Config, model);
            model.Model.Module.Dispose(); // the next run must not find this one's tensors
            output.WriteLine($"{ProgressPrefix}{job.Config.Steps}"); // a run stopped early still fills its share of the bar
            output.WriteLine(DoneLine);
            output.Flush();
        }
    }
}
