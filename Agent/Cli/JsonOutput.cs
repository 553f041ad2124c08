using System.Text.Json;
using Google.Protobuf;

namespace Routing.Agent.Cli;

/// <summary>`-o json`: the API's messages in protobuf's canonical JSON mapping, indented.</summary>
internal static class JsonOutput
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Format(IMessage message)
    {
        using var document = JsonDocument.Parse(Formatter.Format(message));
        return JsonSerializer.Serialize(document.RootElement, Indented);
    }
}
