// Card data (CARDNO, CARDPWD, CARDAUTH, EXPIREDT) must never reach an exception message, a ToString, a
// debugger window or a log through this binding. The core already keeps it out of what it returns; this
// is the binding's own second line, applied to every envelope before a result or an exception is built
// from it, so that a vendor answer echoing a card field (or a future core bug) cannot leak one either.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace CookiePay
{
    internal sealed class CardRedactor
    {
        private static readonly string[] CardFields = { "CARDNO", "CARDPWD", "CARDAUTH", "EXPIREDT" };
        private static readonly string[] QuotedCardFields = { "\"CARDNO\"", "\"CARDPWD\"", "\"CARDAUTH\"", "\"EXPIREDT\"" };

        // Keys whose values are prose (messages, excerpts), where a card value typed by the buyer could be quoted.
        private static bool IsMessageKey(string key)
        {
            return key == "message" || key == "api_message" || key == "excerpt"
                || key.EndsWith("MSG", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>Only the key-based masking, for calls whose request carries no card data.</summary>
        public static readonly CardRedactor KeysOnly = new CardRedactor(null, new List<string>());

        // A full card number (12+ digits) is removed from every string: it cannot occur by chance.
        private readonly string cardNumber;
        // The other values (and a short card number) are removed from message text only: 4–10 digits
        // could also be part of a TID or a date elsewhere, which must stay intact.
        private readonly List<string> shortValues;

        private CardRedactor(string cardNumber, List<string> shortValues)
        {
            this.cardNumber = cardNumber;
            this.shortValues = shortValues;
        }

        /// <summary>The redactor for a request that carries card fields (billkeygen).</summary>
        public static CardRedactor ForRequest(IDictionary<string, object> request)
        {
            if (request == null) return KeysOnly;
            string number = null;
            var values = new List<string>();
            foreach (string field in CardFields)
            {
                object raw;
                if (!request.TryGetValue(field, out raw) || raw == null) continue;
                var formattable = raw as IFormattable;
                string value = formattable != null ? formattable.ToString(null, CultureInfo.InvariantCulture) : raw.ToString();
                // Two-character values (CARDPWD) cannot be told apart from other digits in prose; they are
                // still masked wherever they appear as the value of their own field.
                if (value.Length >= 3) values.Add(value);
                if (field == "CARDNO")
                {
                    string digits = DigitsOf(value);
                    if (digits.Length >= 3 && digits != value) values.Add(digits);
                    if (digits.Length >= 12) number = digits;
                }
            }
            // Longest first, so that a value containing another is replaced whole.
            values.Sort((a, b) => b.Length.CompareTo(a.Length));
            return new CardRedactor(number, values);
        }

        /// <summary>Whether an envelope needs the (slower) walk at all.</summary>
        public bool MayContainCardData(string envelope)
        {
            if (ContainsAnyIgnoreCase(envelope, QuotedCardFields)) return true;
            if (cardNumber != null && envelope.IndexOf(cardNumber, StringComparison.Ordinal) >= 0) return true;
            foreach (string value in shortValues)
                if (envelope.IndexOf(value, StringComparison.Ordinal) >= 0) return true;
            return false;
        }

        /// <summary>Does <paramref name="text"/> hold any of <paramref name="quotedUpper"/> (a quote, then
        /// upper-case ASCII letters: quoted card fields) ignoring case? The same answer as
        /// <c>IndexOf(pattern, StringComparison.OrdinalIgnoreCase) >= 0</c> for each, in one pass and without
        /// Mono's general ignore-case path, which cost ~7 us per field on every envelope. ASCII characters
        /// are compared by their ASCII upper case, any other by char.ToUpperInvariant, as ordinal
        /// ignore-case does (so U+0131 still matches I).</summary>
        internal static bool ContainsAnyIgnoreCase(string text, string[] quotedUpper)
        {
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] != '"') continue;
                foreach (string pattern in quotedUpper)
                {
                    int length = pattern.Length;
                    if (i + length > text.Length) continue;
                    int k = 1;
                    for (; k < length; k++)
                    {
                        char c = text[i + k], p = pattern[k];
                        if (c == p) continue;
                        if (c < 0x80)
                        {
                            if (c >= 'a' && c <= 'z' && (char)(c - 32) == p) continue;
                            break;
                        }
                        if (char.ToUpperInvariant(c) != p) break;
                    }
                    if (k == length) return true;
                }
            }
            return false;
        }

        /// <summary>Mask card data in a parsed envelope in place; true when anything changed.</summary>
        public bool Redact(object node)
        {
            return Walk(node, false);
        }

        private bool Walk(object node, bool prose)
        {
            bool changed = false;
            var obj = node as IDictionary<string, object>;
            if (obj != null)
            {
                foreach (string key in new List<string>(obj.Keys))
                {
                    object value = obj[key];
                    var text = value as string;
                    if (text != null)
                    {
                        string masked = IsCardField(key) ? MaskField(key, text) : Scrub(text, prose || IsMessageKey(key));
                        if (!ReferenceEquals(masked, text) && masked != text)
                        {
                            obj[key] = masked;
                            changed = true;
                        }
                    }
                    else if (value != null && IsCardField(key) && !(value is IDictionary<string, object>) && !(value is IList<object>))
                    {
                        // A number or boolean under a card field's name: masked as text.
                        obj[key] = "***";
                        changed = true;
                    }
                    else
                    {
                        changed |= Walk(value, prose);
                    }
                }
                return changed;
            }
            var list = node as IList<object>;
            if (list != null)
            {
                for (int i = 0; i < list.Count; i++)
                {
                    var text = list[i] as string;
                    if (text != null)
                    {
                        string scrubbed = Scrub(text, prose);
                        if (scrubbed != text) { list[i] = scrubbed; changed = true; }
                    }
                    else
                    {
                        changed |= Walk(list[i], prose);
                    }
                }
            }
            return changed;
        }

        private static bool IsCardField(string key)
        {
            foreach (string field in CardFields)
                if (string.Equals(key, field, StringComparison.OrdinalIgnoreCase)) return true;
            return false;
        }

        /// <summary>CARDNO keeps only its last four digits ("************1111", as CookiePay masks it);
        /// the other card fields are masked whole.</summary>
        private static string MaskField(string key, string value)
        {
            if (value.Length == 0) return value;
            if (!string.Equals(key, "CARDNO", StringComparison.OrdinalIgnoreCase)) return new string('*', value.Length);
            int keep = 4;
            var sb = new StringBuilder(value.Length);
            for (int i = value.Length - 1; i >= 0; i--)
            {
                char c = value[i];
                if (c >= '0' && c <= '9')
                {
                    if (keep > 0) { keep--; sb.Insert(0, c); }
                    else sb.Insert(0, '*');
                }
                else
                {
                    sb.Insert(0, c);
                }
            }
            return sb.ToString();
        }

        private string Scrub(string text, bool prose)
        {
            string result = text;
            if (cardNumber != null && result.IndexOf(cardNumber, StringComparison.Ordinal) >= 0)
                result = result.Replace(cardNumber, new string('*', cardNumber.Length - 4) + cardNumber.Substring(cardNumber.Length - 4));
            if (prose)
            {
                foreach (string value in shortValues)
                    if (result.IndexOf(value, StringComparison.Ordinal) >= 0) result = result.Replace(value, new string('*', value.Length));
            }
            return result;
        }

        private static string DigitsOf(string value)
        {
            var sb = new StringBuilder(value.Length);
            foreach (char c in value)
                if (c >= '0' && c <= '9') sb.Append(c);
            return sb.ToString();
        }
    }
}
