namespace IcnnLift.Data;

/// <summary>Bad user input (a file, a value): the message names the problem and where it is.</summary>
public class InputException(string message) : Exception(message);

/// <summary>Marks the code that reads and checks a user's input: an invalid value found there (an
/// <see cref="ArgumentException"/> from the library's validation) is bad input; the same exception later, during
/// the work, is a bug.</summary>
public static class UserInput
{
    /// <summary>Runs <paramref name="read"/>, turning its <see cref="ArgumentException"/> into an <see cref="InputException"/> (bad input, exit code
    /// 2).</summary>
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
