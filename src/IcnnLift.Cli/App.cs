using System.CommandLine;
using System.CommandLine.Help;

namespace IcnnLift.Cli;

/// <summary>The command line: parse, run, and turn bad input into one line on stderr and exit code 2.</summary>
public static class App
{
    public static int Main(string[] args) => Run(args);

    public static int Run(string[] args)
    {
        var root = new RootCommand("icnn-lift: train input-convex neural networks with the lift and its baselines.")
        {
            TrainCommand.Create(),
            CompareCommand.Create(),
            AblateCommand.Create(),
            SdeCommand.Create(),
            LandscapeCommand.Create(),
            ReproduceCommand.Create(),
            ReportCommand.Create(),
            DensityCommand.Create(),
            ExportCommand.Create(),
            DemoCommand.Create(),
            SampleCommand.Create(),
            MnistCommand.Create(),
            CliHost.JobCommand(),
        };
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new GroupedHelp((HelpAction)help.Action!);
        var quiet = new Option<bool>("--quiet") { Description = "No progress bars, tables or news: errors, --json output and the exit code", Recursive = true };
        root.Options.Add(quiet);
        GroupedHelp.Add("Output", quiet);
        var parsed = root.Parse(args);
        Terminal.Quiet = parsed.GetValue(quiet);
        if (parsed.Errors.Count > 0 && parsed.Action is not { ClearsParseErrors: true }) // --help with a required option missing is help
        {
            Console.Error.WriteLine($"error: {parsed.Errors[0].Message}");
            return ExitCodes.BadInput;
        }
        using var signals = Interruption.Listen();
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>Every way a command can fail ends here: one line on stderr and the contract's exit code.</summary>
    private static int Fail(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } || e is System.Reflection.TargetInvocationException { InnerException: not null })
            e = e.InnerException!;
        if (e is OperationCanceledException && Interruption.Signal is { } signal)
        {
            var kept = e is StudyInterruptedException k ? k.Message : "nothing was written (the output folder is created only when the work is done)";
            Console.Error.WriteLine($"interrupted by {signal}: {kept}");
            return Interruption.ExitCode;
        }
        var (code, text) = e switch
        {
            InputException => (ExitCodes.BadInput, e.Message),
            JobFailedException job => (job.ExitCode, e.Message),
            IOException or UnauthorizedAccessException => (ExitCodes.Failed, e.Message),
            _ => (ExitCodes.Failed,
                $"internal error ({e.GetType().Name}): {e.Message}; please report it with the command (ICNN_LIFT_TRACE=1 prints the stack trace)"),
        };
        Console.Error.WriteLine($"error: {OneLine(text)}");
        if (Environment.GetEnvironmentVariable("ICNN_LIFT_TRACE") == "1") Console.Error.WriteLine(e);
        return code;
    }

    private static string OneLine(string text) => string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
