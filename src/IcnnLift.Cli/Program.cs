using System.CommandLine;
using IcnnLift.Cli;
using IcnnLift.Data;

var root = new RootCommand("icnn-lift: train input-convex neural networks with the lift and its baselines.");
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(CompareCommand.Create());
root.Subcommands.Add(DensityCommand.Create());
root.Subcommands.Add(DemoCommand.Create());

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
