// Minimal JSON for the library's envelopes and requests. System.Text.Json is not in .NET Framework 4.x
// and JavaScriptSerializer is not in .NET Core, so the binding carries its own reader and writer to
// stay dependency-free on both.
//
// Reader: object → Dictionary<string, object> (ordinal keys), array → List<object>, string → string,
// integer → long (double when it does not fit), other numbers → double, true/false → bool, null → null.
// Writer: the same types back, plus any IDictionary with string keys, any IEnumerable, every integral
// and floating-point type. Text is produced as .NET strings; the caller converts it to UTF-8.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace CookiePay
{
    internal static class Json
    {
        // The core's own parser stops at 128 levels; deeper input here can only be a bug.
        private const int MaxDepth = 256;

        public static object Parse(string text)
        {
            if (text == null) throw new ArgumentNullException("text");
            var reader = new Reader(text);
            reader.SkipWhitespace();
            object value = reader.ReadValue(0);
            reader.SkipWhitespace();
            if (!reader.AtEnd) throw reader.Error("unexpected text after the JSON value");
            return value;
        }

        public static string Write(object value)
        {
            var sb = new StringBuilder();
            WriteValue(sb, value, 0);
            return sb.ToString();
        }

        private static void WriteValue(StringBuilder sb, object value, int depth)
        {
            if (depth > MaxDepth) throw new ArgumentException("JSON nesting is too deep (a cycle?)");
            if (value == null) { sb.Append("null"); return; }
            var s = value as string;
            if (s != null) { WriteString(sb, s); return; }
            if (value is bool) { sb.Append((bool)value ? "true" : "false"); return; }
            if (value is char) { WriteString(sb, value.ToString()); return; }
            if (value is int || value is long || value is short || value is sbyte
                || value is uint || value is ulong || value is ushort || value is byte)
            {
                sb.Append(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                return;
            }
            if (value is decimal) { sb.Append(((decimal)value).ToString(CultureInfo.InvariantCulture)); return; }
            if (value is double || value is float)
            {
                double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsNaN(d) || double.IsInfinity(d)) throw new ArgumentException("JSON has no NaN or Infinity");
                sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
                return;
            }
            var dict = value as IDictionary;
            if (dict != null)
            {
                sb.Append('{');
                bool first = true;
                foreach (DictionaryEntry entry in dict)
                {
                    var key = entry.Key as string;
                    if (key == null) throw new ArgumentException("JSON object keys must be strings");
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(sb, key);
                    sb.Append(':');
                    WriteValue(sb, entry.Value, depth + 1);
                }
                sb.Append('}');
                return;
            }
            // IDictionary<string, T> that is not an IDictionary (e.g. IReadOnlyDictionary implementations).
            var pairs = value as IEnumerable<KeyValuePair<string, object>>;
            if (pairs != null)
            {
                sb.Append('{');
                bool first = true;
                foreach (var pair in pairs)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(sb, pair.Key);
                    sb.Append(':');
                    WriteValue(sb, pair.Value, depth + 1);
                }
                sb.Append('}');
                return;
            }
            var list = value as IEnumerable;
            if (list != null)
            {
                sb.Append('[');
                bool first = true;
                foreach (object item in list)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteValue(sb, item, depth + 1);
                }
                sb.Append(']');
                return;
            }
            throw new ArgumentException("cannot write a " + value.GetType().Name + " as JSON");
        }

        private static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    default:
                        if (c < 0x20)
                        {
                            AppendEscape(sb, c);
                        }
                        else if (char.IsSurrogate(c))
                        {
                            // A valid pair is copied as is (it becomes one 4-byte UTF-8 character). A lone
                            // surrogate cannot be UTF-8: escape it so the core reports it instead of the
                            // encoder silently turning it into U+FFFD.
                            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                            {
                                sb.Append(c).Append(s[i + 1]);
                                i++;
                            }
                            else
                            {
                                AppendEscape(sb, c);
                            }
                        }
                        else
                        {
                            sb.Append(c);
                        }
                        break;
                }
            }
            sb.Append('"');
        }

        private static void AppendEscape(StringBuilder sb, char c)
        {
            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }

        private sealed class Reader
        {
            private readonly string text;
            private int pos;

            public Reader(string text) { this.text = text; }

            public bool AtEnd { get { return pos >= text.Length; } }

            public FormatException Error(string what)
            {
                return new FormatException("invalid JSON at offset " + pos + ": " + what);
            }

            public void SkipWhitespace()
            {
                while (pos < text.Length)
                {
                    char c = text[pos];
                    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
                    else break;
                }
            }

            public object ReadValue(int depth)
            {
                if (depth > MaxDepth) throw Error("nesting is too deep");
                if (AtEnd) throw Error("unexpected end");
                char c = text[pos];
                switch (c)
                {
                    case '{': return ReadObject(depth);
                    case '[': return ReadArray(depth);
                    case '"': return ReadString();
                    case 't': Expect("true"); return true;
                    case 'f': Expect("false"); return false;
                    case 'n': Expect("null"); return null;
                    default:
                        if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
                        throw Error("unexpected character '" + c + "'");
                }
            }

            private void Expect(string word)
            {
                if (string.CompareOrdinal(text, pos, word, 0, word.Length) != 0) throw Error("expected " + word);
                pos += word.Length;
            }

            private Dictionary<string, object> ReadObject(int depth)
            {
                var result = new Dictionary<string, object>(StringComparer.Ordinal);
                pos++; // '{'
                SkipWhitespace();
                if (pos < text.Length && text[pos] == '}') { pos++; return result; }
                while (true)
                {
                    SkipWhitespace();
                    if (AtEnd || text[pos] != '"') throw Error("expected a string key");
                    string key = ReadString();
                    SkipWhitespace();
                    if (AtEnd || text[pos] != ':') throw Error("expected ':'");
                    pos++;
                    SkipWhitespace();
                    result[key] = ReadValue(depth + 1);
                    SkipWhitespace();
                    if (AtEnd) throw Error("unexpected end in an object");
                    if (text[pos] == ',') { pos++; continue; }
                    if (text[pos] == '}') { pos++; return result; }
                    throw Error("expected ',' or '}'");
                }
            }

            private List<object> ReadArray(int depth)
            {
                var result = new List<object>();
                pos++; // '['
                SkipWhitespace();
                if (pos < text.Length && text[pos] == ']') { pos++; return result; }
                while (true)
                {
                    SkipWhitespace();
                    result.Add(ReadValue(depth + 1));
                    SkipWhitespace();
                    if (AtEnd) throw Error("unexpected end in an array");
                    if (text[pos] == ',') { pos++; continue; }
                    if (text[pos] == ']') { pos++; return result; }
                    throw Error("expected ',' or ']'");
                }
            }

            private string ReadString()
            {
                pos++; // opening quote
                int start = pos;
                // Fast path: no escapes.
                while (pos < text.Length)
                {
                    char c = text[pos];
                    if (c == '"') { string plain = text.Substring(start, pos - start); pos++; return plain; }
                    if (c == '\\') break;
                    if (c < 0x20) throw Error("control character in a string");
                    pos++;
                }
                var sb = new StringBuilder(text, start, pos - start, (pos - start) + 16);
                while (true)
                {
                    if (AtEnd) throw Error("unterminated string");
                    char c = text[pos++];
                    if (c == '"') return sb.ToString();
                    if (c < 0x20) throw Error("control character in a string");
                    if (c != '\\') { sb.Append(c); continue; }
                    if (AtEnd) throw Error("unterminated escape");
                    char e = text[pos++];
                    switch (e)
                    {
                        case '"': sb.Append('"'); break;
                        case '\\': sb.Append('\\'); break;
                        case '/': sb.Append('/'); break;
                        case 'b': sb.Append('\b'); break;
                        case 'f': sb.Append('\f'); break;
                        case 'n': sb.Append('\n'); break;
                        case 'r': sb.Append('\r'); break;
                        case 't': sb.Append('\t'); break;
                        case 'u':
                            // Surrogate pairs arrive as two escapes; appending both code units rebuilds the pair.
                            if (pos + 4 > text.Length) throw Error("short \\u escape");
                            int code;
                            if (!int.TryParse(text.Substring(pos, 4), NumberStyles.AllowHexSpecifier,
                                    CultureInfo.InvariantCulture, out code))
                                throw Error("bad \\u escape");
                            sb.Append((char)code);
                            pos += 4;
                            break;
                        default: throw Error("unknown escape \\" + e);
                    }
                }
            }

            private object ReadNumber()
            {
                int start = pos;
                bool integral = true;
                if (text[pos] == '-') pos++;
                int digitsStart = pos;
                while (pos < text.Length && text[pos] >= '0' && text[pos] <= '9') pos++;
                if (pos == digitsStart) throw Error("expected digits");
                if (pos < text.Length && text[pos] == '.')
                {
                    integral = false;
                    pos++;
                    int fracStart = pos;
                    while (pos < text.Length && text[pos] >= '0' && text[pos] <= '9') pos++;
                    if (pos == fracStart) throw Error("expected digits after '.'");
                }
                if (pos < text.Length && (text[pos] == 'e' || text[pos] == 'E'))
                {
                    integral = false;
                    pos++;
                    if (pos < text.Length && (text[pos] == '+' || text[pos] == '-')) pos++;
                    int expStart = pos;
                    while (pos < text.Length && text[pos] >= '0' && text[pos] <= '9') pos++;
                    if (pos == expStart) throw Error("expected exponent digits");
                }
                string number = text.Substring(start, pos - start);
                long asLong;
                if (integral && long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out asLong))
                    return asLong;
                return double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }
    }
}
