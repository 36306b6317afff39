namespace IcnnLift.Data;

/// <summary>Bad user input (a file, a value): the message names the problem and where it is.</summary>
public class InputException(string message) : Exception(message);
