using System.Runtime.InteropServices;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Runtime;

/// <summary>Where a run's tensors live. The package carries libtorch's CPU build; CUDA needs TorchSharp's CUDA build
/// (TorchSharp-cuda-linux) in its place.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ComputeDevice>))]
public enum ComputeDevice
{
    /// <summary>The CPU.</summary>
    [JsonStringEnumMemberName("cpu")] Cpu,
    /// <summary>The first CUDA device.</summary>
    [JsonStringEnumMemberName("cuda")] Cuda,
}

/// <summary>Process-wide libtorch settings. Call <see cref="Initialize"/> once, before the first tensor.</summary>
public static class TorchRuntime
{
    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;
    private static int _initialized;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);

    /// <summary>The device every tensor and random generator of this process is made on.</summary>
    public static Device Device { get; private set; } = CPU;

    /// <summary>
    /// Keeps glibc from returning large freed blocks to the OS (re-faulting them in costs more than the
    /// arithmetic for networks this small), sets the libtorch intra-op thread count and the device tensors are
    /// made on. One thread per run is fastest on small networks; use the other cores by running several runs side
    /// by side. The device is libtorch's process-wide default, so a process runs on one device at a time: set it
    /// before the run's first tensor (a module keeps the device it was built on).
    /// </summary>
    /// <exception cref="ArgumentException">CUDA asked for where libtorch has none.</exception>
    public static void Initialize(int threads = 1, ComputeDevice device = ComputeDevice.Cpu)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "threads must be at least 1");
        CheckAvailable(device);
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
        Device = device == ComputeDevice.Cuda ? CUDA : CPU;
        set_default_device(Device);
    }

    /// <summary>The device, if this libtorch can run on it; otherwise one line saying why not.</summary>
    /// <exception cref="ArgumentException">CUDA asked for where libtorch has none.</exception>
    public static ComputeDevice CheckAvailable(ComputeDevice device) =>
        device == ComputeDevice.Cuda && !cuda.is_available()
            ? throw new ArgumentException("--device cuda: this libtorch has no CUDA device (the package carries libtorch's CPU build; " +
                "see the README's Performance section)")
            : device;

    /// <summary>A random generator on <see cref="Device"/> (libtorch draws on a device only with a generator of that device).</summary>
    public static Generator NewGenerator(ulong seed) => new(seed, Device);
}
