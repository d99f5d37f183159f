using GlmRuntime.Model;

namespace GlmRuntime.Kv;

/// <summary>Sizes the engine's KV from the model's layers and the options' memory budget.</summary>
internal static class KvCacheFactory
{
    /// <exception cref="ArgumentOutOfRangeException">The budget holds less than one page.</exception>
    public static KvCacheManager Create(GlmModel model, GlmEngineOptions options, bool keepMtpCache)
    {
        var config = model.Config;
        var indexKeyDims = model.Layers.Select(l => l.Attention.Indexer?.KeyDim ?? 0).ToList();
        if (keepMtpCache)
            indexKeyDims.Add(model.Mtp!.Block.Attention.Indexer?.KeyDim ?? 0);
        var layout = new KvPageLayout(options.PageSize, options.KvCacheDType, config.KvLoraRank + config.QkRopeHeadDim, indexKeyDims, config.KvLoraRank);
        long pages = options.KvCacheBytes / layout.PageBytes;
        if (pages < 1)
            throw new ArgumentOutOfRangeException(nameof(options.KvCacheBytes), options.KvCacheBytes,
                $"KvCacheBytes holds no KV page: one page of {options.PageSize} tokens takes {layout.PageBytes} bytes with {options.KvCacheDType} storage.");
        return new KvCacheManager(layout, (int)Math.Min(pages, 1 << 24), options.EnablePrefixCache, pairKeys: keepMtpCache);
    }
}
