using System.Runtime.InteropServices;
using TorchSharp;

namespace IcnnLift.Runtime;

/// <summary>Process-wide libtorch settings. Call <see cref="Initialize"/> once, before the first tensor.</summary>
public static class TorchRuntime
{
    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;
    private static int _initialized;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);

    /// <summary>
    /// Keeps glibc from returning large freed blocks to the OS (re-faulting them in costs more than the
    /// arithmetic for networks this small) and sets the libtorch intra-op thread count. One thread per
    /// run is fastest on small networks; use the other cores by running several runs side by side.
    /// </summary>
    public static void Initialize(int threads = 1)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "threads must be at least 1");
        if (Interlocked.Exchange(ref _initialized, 1) == 0 && OperatingSystem.IsLinux())
        {
            try
            {
                Mallopt(M_MMAP_THRESHOLD, 32 << 20);
                Mallopt(M_TRIM_THRESHOLD, int.MaxValue);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // Not glibc (musl, say): the defaults are slower, not wrong.
            }
        }
        torch.set_num_threads(threads);
    }
}
