using System.CommandLine;
using System.Text.Json;
using IcnnLift.Runtime;
using IcnnLift.Training;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift job --spec FILE</c> (hidden): one run for <see cref="JobRunner"/>, reporting its steps on stdout.</summary>
internal static class JobCommand
{
    public static Command Create()
    {
        var spec = new Option<string>("--spec") { Description = "Job specification (JSON)", Required = true };
        var command = new Command("job", "Run one training job described by a JSON file (used by compare).") { Hidden = true };
        command.Options.Add(spec);
        command.SetAction(p =>
        {
            var job = JsonSerializer.Deserialize<JobSpec>(File.ReadAllText(p.GetValue(spec)!), RunFolder.Json)
                ?? throw new InvalidOperationException("empty job specification");
            TorchRuntime.Initialize(job.Threads);
            var model = Trainer.Train(job.Config, job.Data.ForSeed(job.Config.Seed), job.Data.Target, progress =>
            {
                if (progress.Step % 10 == 0 || progress.Step == job.Config.Steps) Console.Out.WriteLine($"{JobRunner.ProgressPrefix}{progress.Step}");
            });
            RunFolder.Write(job.Output, job.Config, model);
            Console.Out.WriteLine($"{JobRunner.ProgressPrefix}{job.Config.Steps}"); // a run stopped early still fills its share of the bar
            return ExitCodes.Ok;
        });
        return command;
    }
}
