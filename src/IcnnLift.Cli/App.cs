using System.CommandLine;
using IcnnLift.Data;

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
            DemoCommand.Create(),
            SampleCommand.Create(),
            MnistCommand.Create(),
            JobCommand.Create(),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine($"error: {parsed.Errors[0].Message}");
            return ExitCodes.BadInput;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (InputException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (JobFailedException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
