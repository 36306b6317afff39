namespace IcnnLift.Studies;

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
