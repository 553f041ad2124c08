using System.Text.Json.Serialization;

namespace Routing.Cni.Config;

/// <summary>Source-generated (de)serialisation: no reflection, so the plugin stays NativeAOT-clean.</summary>
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(NetworkConfig))]
internal sealed partial class CniJsonContext : JsonSerializerContext;
