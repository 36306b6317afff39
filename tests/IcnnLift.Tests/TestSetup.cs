using System.Runtime.CompilerServices;
using IcnnLift.Runtime;

namespace IcnnLift.Tests;

internal static class TestSetup
{
    [ModuleInitializer]
    internal static void Initialize() => TorchRuntime.Initialize(1);
}
