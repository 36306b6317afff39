using System.CommandLine;

namespace IcnnLift.Cli;

/// <summary>The command line as the host of a study: each run in a process of this program (the hidden <c>job</c>
/// command), progress bars and news on stderr, and cancellation by SIGINT or SIGTERM (<see cref="Interruption"/>).</summary>
internal sealed class CliHost : IStudyHost
{
    public static readonly CliHost Instance = new();

    /// <summary>How to start this program's <c>job</c> command.</summary>
    public static string[] WorkerCommand => [ProcessRunExecutor.DotnetHost(), typeof(App).Assembly.Location, "job"];

    /// <summary><c>icnn-lift job</c> (hidden): a worker process that serves runs (<see cref="RunWorker"/>).</summary>
    public static Command JobCommand()
    {
        var command = new Command("job", "Serve training jobs, one line of JSON each on stdin (the worker of train, compare and reproduce).") { Hidden = true };
        command.SetAction(_ =>
        {
            RunWorker.Serve(Console.In, Console.Out, Interruption.Token);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A new executor each time: the cancellation token is the current command's.</summary>
    public IRunExecutor Runs => new ProcessRunExecutor(WorkerCommand, Terminal.WithProgress, Interruption.Token);

    public void WithProgress(string description, double total, Action<Action<double>> work) => Terminal.WithProgressOnThisThread(description, total, work);

    public void Say(string line)
    {
        if (!Terminal.Quiet) Console.Error.WriteLine(line);
    }

    public CancellationToken Cancellation => Interruption.Token;
}
