using System.CommandLine;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift job</c> (hidden): the worker process of one run (<see cref="RunWorker"/>).</summary>
internal static class JobCommand
{
    public static Command Create()
    {
        var command = new Command("job", "Run one training job described by JSON on stdin (used by train, compare and reproduce).") { Hidden = true };
        command.SetAction(_ =>
        {
            RunWorker.Serve(Console.In, Console.Out, Interruption.Token);
            return ExitCodes.Ok;
        });
        return command;
    }
}
