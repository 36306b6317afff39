using System.Text.Json;
using System.Text.Json.Nodes;
using IcnnLift.Convex;
using IcnnLift.Data;
using IcnnLift.Positivity;
using IcnnLift.Training;
using Xunit;

namespace IcnnLift.Tests.Training;

/// <summary>The closed sets in config.json: written by their command-line names, read back as the same values,
/// and older spellings still read.</summary>
public class TrainConfigTests
{
    [Fact]
    public void Closed_sets_are_written_by_their_command_line_names_and_read_back()
    {
        var config = new TrainConfig
        {
            Method = PositivityMethod.SoftplusBias,
            Activation = Activation.LeakyRelu(0.2),
            Initialization = InitializationKind.Principled,
        };
        var json = JsonNode.Parse(JsonSerializer.Serialize(config, RunFolder.Json))!;
        Assert.Equal("softplus-bias", (string?)json["method"]);
        Assert.Equal("leaky_relu:0.2", (string?)json["activation"]);
        Assert.Equal("principled", (string?)json["initialization"]);
        Assert.Equal(config, JsonSerializer.Deserialize<TrainConfig>(json.ToJsonString(), RunFolder.Json));
    }

    [Theory]
    [InlineData("hoedt", InitializationKind.Principled)] // the alias the command line has always accepted
    [InlineData(" Default", InitializationKind.Default)] // a config.json of the first format holds the user's spelling
    public void Older_spellings_of_the_initialisation_still_load(string written, InitializationKind expected)
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(new TrainConfig(), RunFolder.Json))!;
        json["initialization"] = written;
        Assert.Equal(expected, JsonSerializer.Deserialize<TrainConfig>(json.ToJsonString(), RunFolder.Json)!.Initialization);
    }

    [Fact]
    public void Every_method_has_one_name_that_parses_back()
    {
        foreach (var method in Enum.GetValues<PositivityMethod>())
            Assert.Equal(method, PositivityMethods.Parse(Choice.Name(method).ToUpperInvariant()));
        Assert.Equal(Enum.GetValues<PositivityMethod>().Length, PositivityMethods.Names.Distinct().Count());
    }
}
