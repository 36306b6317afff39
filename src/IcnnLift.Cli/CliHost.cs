using IcnnLift.Studies;

namespace IcnnLift.Cli;

/// <summary>The command line as the host of a study: runs in processes of their own (<see cref="JobRunner"/>), progress
/// bars and news on stderr, and cancellation by SIGINT or SIGTERM (<see cref="Interruption"/>).</summary>
internal sealed class CliHost : IStudyHost
{
    public static readonly CliHost Instance = new();

    public IRunExecutor Runs { get; } = new JobRunner();

    public void WithProgress(string description, double total, Action<Action<double>> work) => Terminal.WithProgressOnThisThread(description, total, work);

    public void Say(string line) => Console.Error.WriteLine(line);

    public CancellationToken Cancellation => Interruption.Token;
}
