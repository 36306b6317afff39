using System.Runtime.CompilerServices;
using IcnnLift.Runtime;
using Xunit;

// One test at a time. TorchSharp's Scalar frees its native handle in a finalizer and is not kept alive across
// the native call that uses it, so a garbage collection started by a second thread that allocates during a
// torch call can free a scalar still in use (seen as c10 "toDouble" errors). Torch work stays on one thread
// per process here, as in the program (compare runs each job in its own process).
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace IcnnLift.Tests;

internal static class TestSetup
{
    [ModuleInitializer]
    internal static void Initialize() => TorchRuntime.Initialize(1);
}
