using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;

namespace IcnnLift.Data;

/// <summary>Closed sets by their command-line and config.json names (a member's <see cref="JsonStringEnumMemberNameAttribute"/>,
/// else its name in lower case): parsed once, at the edge, with the one-line message bad input gets.</summary>
public static class Choice
{
    private static readonly ConcurrentDictionary<Enum, string> Names = new();

    /// <summary>The value's command-line name (its JSON name).</summary>
    public static string Name<T>(T value) where T : struct, Enum =>
        Names.GetOrAdd(value, v => typeof(T).GetField(v.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
            ?? v.ToString().ToLowerInvariant());

    /// <summary>Every value's command-line name.</summary>
    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Enum.GetValues<T>().Select(Name).ToList();

    /// <summary>The value named <paramref name="text"/>; an unknown name is an <see cref="ArgumentException"/> naming <paramref name="what"/> and the
    /// choices.</summary>
    public static T Parse<T>(string text, string what) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
            if (Name(value) == text.Trim().ToLowerInvariant()) return value;
        throw new ArgumentException($"unknown {what} '{text}' ({string.Join(", ", All<T>())})");
    }
}
