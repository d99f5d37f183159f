namespace GlmRuntime.Configuration;

/// <summary>A config.json (or generation_config.json) key is missing or invalid; the message names the key and the file.</summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigException(string file, string key, string problem, Exception? innerException = null)
        : base($"{file}: key '{key}': {problem}", innerException)
    {
        File = file;
        Key = key;
    }

    /// <summary>The file at fault.</summary>
    public string File { get; }

    /// <summary>The key at fault (dotted path for nested keys).</summary>
    public string Key { get; }
}
