using IcnnLift.Data;

namespace IcnnLift.Cli;

/// <summary>The exit codes, a documented contract (README, "Guarantees"); a signal ends a command with 128 + its number.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The environment failed (disk full, permission, a crashed run); one line names the cause.</summary>
    public const int Failed = 1;
    /// <summary>Bad input; one line names the problem and where (file, line, option); nothing is written.</summary>
    public const int BadInput = 2;
    /// <summary>A run stopped on a non-finite loss (or gave a non-finite test NLL): results are written, the best checkpoint kept.</summary>
    public const int NonFinite = 3;
}

/// <summary>Marks the part of a command that reads and checks the user's input: an invalid option found
/// there (an <see cref="ArgumentException"/> from the library's validation) is bad input, exit code 2; the
/// same exception later, during the work, is a bug.</summary>
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
