namespace GlmRuntime.Tokenization.Text;

/// <summary>
/// GPT-2's reversible byte ↔ character map: every byte value gets a printable character so that
/// byte-level BPE vocabularies can be stored as text. Printable Latin-1 bytes map to themselves;
/// the other 68 bytes map to U+0100.. in byte order.
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>One past the largest character the map produces (U+0143).</summary>
    public const int CharLimit = 0x144;

    // Both tables are filled once by the static constructor and never written again; they are only
    // handed out as read-only spans.
    private static readonly char[] ByteToCharTable = new char[256];
    private static readonly short[] CharToByteTable = new short[CharLimit];

    static ByteLevelAlphabet()
    {
        Array.Fill(CharToByteTable, (short)-1);
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char)b : (char)next++;
            ByteToCharTable[b] = c;
            CharToByteTable[c] = (short)b;
        }
    }

    /// <summary>byte → character, 256 entries.</summary>
    public static ReadOnlySpan<char> ByteToChar => ByteToCharTable;

    /// <summary>The byte a byte-level character stands for, or -1 when the character is not in the alphabet.</summary>
    public static int CharToByte(char c) => c < CharLimit ? CharToByteTable[c] : -1;

    /// <summary>Maps the UTF-8 bytes of <paramref name="text"/> to byte-level characters.</summary>
    public static string Map(ReadOnlySpan<char> text)
    {
        using var bytes = new ByteBuffer(text.Length * 3);
        bytes.AppendUtf8(text);
        ReadOnlySpan<byte> written = bytes.WrittenSpan;
        return string.Create(written.Length, bytes, static (chars, buffer) =>
        {
            ReadOnlySpan<char> map = ByteToChar;
            ReadOnlySpan<byte> source = buffer.WrittenSpan;
            for (int i = 0; i < source.Length; i++)
                chars[i] = map[source[i]];
        });
    }

    /// <summary>The most bytes <see cref="WriteTokenBytes"/> can produce for <paramref name="token"/>.</summary>
    public static int MaxTokenBytes(string token) => token.Length * 3;

    /// <summary>
    /// Writes the bytes a byte-level token stands for and returns their count. As in the Rust decoder, a
    /// token holding any character outside the alphabet (an added token such as <c>&lt;｜tool▁sep｜&gt;</c>)
    /// contributes its own UTF-8 bytes instead.
    /// </summary>
    /// <param name="token">The vocabulary string of one token.</param>
    /// <param name="destination">At least <see cref="MaxTokenBytes"/> bytes.</param>
    public static int WriteTokenBytes(string token, Span<byte> destination)
    {
        for (int i = 0; i < token.Length; i++)
        {
            int b = CharToByte(token[i]);
            if (b < 0)
                return System.Text.Encoding.UTF8.GetBytes(token, destination);
            destination[i] = (byte)b;
        }
        return token.Length;
    }

    /// <summary>Appends the bytes of a byte-level token (see <see cref="WriteTokenBytes"/>).</summary>
    public static void AppendTokenBytes(string token, ByteBuffer destination) =>
        destination.Advance(WriteTokenBytes(token, destination.GetSpan(MaxTokenBytes(token))));
}
