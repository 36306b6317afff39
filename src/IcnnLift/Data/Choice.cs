namespace IcnnLift.Data;

/// <summary>Closed sets by their command-line and config.json names (a member's name in lower case): parsed once, at
/// the edge, with the one-line message bad input gets.</summary>
public static class Choice
{
    public static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static T Parse<T>(string text, string what) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
            if (Name(value) == text.Trim().ToLowerInvariant()) return value;
        throw new ArgumentException($"unknown {what} '{text}' ({string.Join(", ", Enum.GetValues<T>().Select(Name))})");
    }
}
