using IcnnLift.Data;

namespace IcnnLift.Cli;

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
}

/// <summary>Marks the part of a command that reads and checks the user's input: an invalid option found
/// there (an <see cref="ArgumentException"/> from the library's validation) is bad input, exit code 2; the
/// same exception later, during the work, is a bug and keeps its stack trace.</summary>
internal static class UserInput
{
    public static T Check<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ArgumentException e)
        {
            throw new InputException(e.Message);
        }
    }
}
