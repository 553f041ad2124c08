using System.Text.Json;
using System.Text.Json.Serialization;

namespace Routing.Agent.Datastore.FileStore;

[JsonSerializable(typeof(JsonElement))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
