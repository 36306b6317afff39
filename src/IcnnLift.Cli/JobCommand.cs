using System.CommandLine;
using System.Text.Json;
using IcnnLift.Studies;
using IcnnLift.Runtime;
using IcnnLift.Training;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift job</c> (hidden): one run for <see cref="JobRunner"/>, its specification (JSON) on stdin, its
/// steps reported on stdout, its run folder's files written into the staging folder the parent claimed.</summary>
internal static class JobCommand
{
    public static Command Create()
    {
        var command = new Command("job", "Run one training job described by JSON on stdin (used by train, compare and reproduce).") { Hidden = true };
        command.SetAction(_ =>
        {
            ProcessLifetime.DieWithParent();
            var job = JsonSerializer.Deserialize<JobSpec>(Console.In.ReadToEnd(), RunFolder.Json)
                ?? throw new InvalidOperationException("empty job specification");
            TorchRuntime.Initialize(job.Threads);
            var model = Trainer.Train(job.Config, job.Data.ForSeed(job.Config.Seed), job.Data.Target, progress =>
            {
                Interruption.ThrowIfRequested();
                if (progress.Step % 10 == 0 || progress.Step == job.Config.Steps) Console.Out.WriteLine($"{JobRunner.ProgressPrefix}{progress.Step}");
            });
            RunFolder.WriteInto(job.Output, job.Config, model);
            Console.Out.WriteLine($"{JobRunner.ProgressPrefix}{job.Config.Steps}"); // a run stopped early still fills its share of the bar
            return ExitCodes.Ok;
        });
        return command;
    }
}
