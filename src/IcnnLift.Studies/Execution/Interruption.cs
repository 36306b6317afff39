using System.Runtime.InteropServices;

namespace IcnnLift.Studies;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM: the first one cancels <see cref="Token"/> and the command winds down (children are
/// stopped, staging folders removed, one line says what was kept); a second one ends the process at once.
/// Long work on the main thread calls <see cref="ThrowIfRequested"/> where it reports progress.
/// </summary>
public static class Interruption
{
    private static CancellationTokenSource _source = new();

    public static PosixSignal? Signal { get; private set; }

    public static CancellationToken Token => _source.Token;

    /// <summary>The shell's convention: 128 + the signal's number.</summary>
    public static int ExitCode => Signal == PosixSignal.SIGTERM ? 143 : 130;

    /// <summary>Listens until disposed (one command's life).</summary>
    public static IDisposable Listen()
    {
        _source = new CancellationTokenSource();
        Signal = null;
        var registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }.Select(s => PosixSignalRegistration.Create(s, Handle)).ToList();
        return new Registrations(registrations);
    }

    public static void ThrowIfRequested() => Token.ThrowIfCancellationRequested();

    private static void Handle(PosixSignalContext context)
    {
        if (Signal is not null) return; // the second signal: the default, an immediate end
        Signal = context.Signal;
        context.Cancel = true;
        _source.Cancel();
    }

    private sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose() => registrations.ForEach(r => r.Dispose());
    }
}
