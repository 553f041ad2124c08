using System.Runtime.CompilerServices;
using Routing.Bgp.Rib;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Tests.Rib;

public sealed class PrefixTableTests
{
    [Fact]
    public void Holds_what_a_dictionary_holds_through_growth_and_removals()
    {
        var random = new Random(7);
        var table = new PrefixTable<string>();
        var model = new Dictionary<Prefix, string>();
        // Few distinct keys, many operations: runs collide, wrap around segment ends and are shifted back on removal.
        var keys = Enumerable.Range(0, 20_000).Select(i => RandomPrefix(random)).Distinct().ToArray();
        for (var step = 0; step < 200_000; step++)
        {
            var key = keys[random.Next(keys.Length)];
            // Runs of one value, as the routes of one UPDATE share their path.
            var value = $"v{step / 4}";
            switch (random.Next(4))
            {
                case 0:
                    Assert.Equal(model.GetValueOrDefault(key), table.GetOrAdd(key, value));
                    model.TryAdd(key, value);
                    break;
                case 1:
                case 2:
                    Assert.Equal(!model.ContainsKey(key), table.Set(key, value));
                    model[key] = value;
                    break;
                default:
                    Assert.Equal(model.Remove(key), table.Remove(key));
                    break;
            }

            if (step % 10_000 == 0)
            {
                AssertSame(model, table);
            }
        }

        AssertSame(model, table);
        foreach (var key in keys)
        {
            table.Remove(key);
        }

        Assert.Equal(0, table.Count);
        Assert.Empty(table.Entries());
    }

    [Fact]
    public void Tells_apart_prefixes_that_differ_only_in_length_or_family()
    {
        var table = new PrefixTable<string>();
        string[] texts = ["0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/16", "::/0", "::10.0.0.0/104", "10.0.0.0/32"];
        foreach (var text in texts)
        {
            table.Set(Prefix.Parse(text), text);
        }

        Assert.Equal(texts.Length, table.Count);
        foreach (var text in texts)
        {
            Assert.True(table.TryGetValue(Prefix.Parse(text), out var value));
            Assert.Equal(text, value);
        }

        Assert.Equal(texts.Order(), table.Entries().Select(e => e.Prefix.ToString()).Order());
        Assert.All(table.Entries(), e => Assert.Equal(e.Prefix.ToString(), e.Value));
    }

    [Fact]
    public void Lets_go_of_a_value_once_no_prefix_holds_it()
    {
        var table = new PrefixTable<object>();
        var shared = Fill(table);
        table.Remove(Prefix.Parse("10.0.0.0/24"));
        table.Set(Prefix.Parse("10.0.1.0/24"), "another");
        GC.Collect();
        GC.WaitForPendingFinalizers();

        Assert.False(shared.IsAlive);
        Assert.Equal(1, table.Count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference Fill(PrefixTable<object> table)
    {
        var value = new object();
        table.Set(Prefix.Parse("10.0.0.0/24"), value);
        table.Set(Prefix.Parse("10.0.1.0/24"), value);
        return new WeakReference(value);
    }

    private static void AssertSame(Dictionary<Prefix, string> model, PrefixTable<string> table)
    {
        Assert.Equal(model.Count, table.Count);
        foreach (var (prefix, value) in model)
        {
            Assert.True(table.TryGetValue(prefix, out var found), $"{prefix} missing");
            Assert.Equal(value, found);
        }

        Assert.Equal(model.OrderBy(e => e.Key), table.Entries().Select(e => KeyValuePair.Create(e.Prefix, e.Value)).OrderBy(e => e.Key));
    }

    private static Prefix RandomPrefix(Random random) => random.Next(4) == 0
        ? Prefix.IPv6(((UInt128)(ulong)random.NextInt64() << 64) | (ulong)random.NextInt64(), random.Next(0, 129))
        : Prefix.IPv4((uint)random.Next(), random.Next(0, 33));
}
