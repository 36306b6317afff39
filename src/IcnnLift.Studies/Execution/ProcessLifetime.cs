using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace IcnnLift.Studies;

/// <summary>
/// Child processes that die with their parent. A child asks the kernel for SIGKILL when its parent dies
/// (prctl PR_SET_PDEATHSIG: this covers a parent killed by SIGKILL, which can run no code), and checks that the
/// parent it was started by is still there (it may have died before the request). The parent stops its children
/// with SIGTERM, so that they can remove what they were writing, and kills those that do not end in time.
/// </summary>
public static class ProcessLifetime
{
    /// <summary>The environment variable through which a parent tells its child its PID.</summary>
    public const string ParentVariable = "ICNN_LIFT_PARENT_PID";

    private const int PR_SET_PDEATHSIG = 1;
    private const int SIGKILL = 9;
    private const int SIGTERM = 15;

    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static extern int Prctl(int option, nint arg2, nint arg3, nint arg4, nint arg5);

    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int GetParentPid();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>In a child: die when the parent named by <see cref="ParentVariable"/> dies (Linux; elsewhere a no-op).</summary>
    public static void DieWithParent()
    {
        if (!OperatingSystem.IsLinux() || !int.TryParse(Environment.GetEnvironmentVariable(ParentVariable), NumberStyles.None, CultureInfo.InvariantCulture,
            out int parent)) return;
        if (Prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
            throw new InvalidOperationException($"prctl(PR_SET_PDEATHSIG) failed with errno {Marshal.GetLastPInvokeError()}");
        if (GetParentPid() != parent) Environment.Exit(1); // the parent died before the request was made
    }

    /// <summary>Starts <paramref name="start"/> as a child of this process.</summary>
    public static Process StartChild(ProcessStartInfo start)
    {
        start.Environment[ParentVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        // No diagnostics pipes in $TMPDIR: a child stopped while the runtime starts could not remove them.
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
    }

    /// <summary>Asks <paramref name="process"/> to end (SIGTERM) now, and kills it if it has not ended within
    /// <paramref name="grace"/>. Returns at once: the kill comes from a timer, so stopping needs no thread of its own
    /// (a blocking wait on a thread-pool thread could be starved by the threads that read the children's pipes).
    /// Dispose the result once the process has ended.</summary>
    public static IDisposable Stop(Process process, TimeSpan grace)
    {
        Signal(process, SIGTERM);
        return new Timer(_ => Signal(process, SIGKILL), null, grace, Timeout.InfiniteTimeSpan);
    }

    private static void Signal(Process process, int signal)
    {
        try
        {
            if (process.HasExited) return;
            if (OperatingSystem.IsWindows()) process.Kill();
            else Kill(process.Id, signal);
        }
        catch (InvalidOperationException)
        {
            // It ended meanwhile.
        }
    }
}
