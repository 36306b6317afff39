using IcnnLift.Diagnostics;
using Xunit;

namespace IcnnLift.Tests.Diagnostics;

public class EscapeSdeTests
{
    private static readonly EscapeSdeOptions Options = new(Paths: 400, Steps: 5000);

    [Fact]
    public void Zero_body_noise_never_escapes_within_the_budget()
    {
        Assert.True(Options.NoiseFreeEscapeSteps > 5 * Options.Steps);
        Assert.Equal(0.0, EscapeSde.EscapeFraction(EscapeSde.FirstPassage(Options, 0, seed: 1), Options.Steps));
    }

    [Fact]
    public void The_escape_fraction_rises_with_the_noise()
    {
        var fractions = new[] { 0.01, 0.03, 0.1 }.Select(s => EscapeSde.EscapeFraction(EscapeSde.FirstPassage(Options, s, seed: 1), Options.Steps)).ToList();
        Assert.True(fractions[0] < fractions[1] && fractions[1] < fractions[2], string.Join(", ", fractions));
        Assert.True(fractions[2] > 0.5, $"{fractions[2]}");
    }

    [Fact]
    public void Without_any_noise_the_path_leaves_after_about_the_predicted_number_of_iterations()
    {
        // Shallow enough to leave inside the budget: the drift alone, e^{-t} shrinking at rate eta w*.
        var options = new EscapeSdeOptions(Start: -4, GradientNoise: 0, Paths: 3, Steps: 8000);
        var passage = EscapeSde.FirstPassage(options, 0, seed: 0);
        Assert.All(passage, p => Assert.InRange(p, 0.85 * options.NoiseFreeEscapeSteps, 1.15 * options.NoiseFreeEscapeSteps));
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new EscapeSdeOptions(Start: 0).Validated()); // not in the shoulder
        Assert.Throws<ArgumentException>(() => EscapeSde.FirstPassage(Options, -0.1, 0));
    }
}
