using System;
using System.Collections.Generic;
using System.Text;
using NUnit.Framework;

namespace CookiePay.Tests
{
    [TestFixture]
    public class JsonTests
    {
        [Test]
        public void ReadsEveryValueType()
        {
            var parsed = (IDictionary<string, object>)Json.Parse(
                " {\"s\":\"x\", \"i\":-42, \"big\":12345678901234, \"huge\":123456789012345678901234,\"d\":1.5e2,"
                + "\"t\":true,\"f\":false,\"n\":null,\"a\":[1,\"two\",[]],\"o\":{\"k\":{}}}\n");
            Assert.AreEqual("x", parsed["s"]);
            Assert.AreEqual(-42L, parsed["i"]);
            Assert.AreEqual(12345678901234L, parsed["big"]);
            Assert.IsInstanceOf<double>(parsed["huge"]);
            Assert.AreEqual(150.0, parsed["d"]);
            Assert.AreEqual(true, parsed["t"]);
            Assert.AreEqual(false, parsed["f"]);
            Assert.IsTrue(parsed.ContainsKey("n"));
            Assert.IsNull(parsed["n"]);
            var array = (List<object>)parsed["a"];
            Assert.AreEqual(3, array.Count);
            Assert.AreEqual(1L, array[0]);
            Assert.AreEqual("two", array[1]);
            Assert.AreEqual(0, ((List<object>)array[2]).Count);
            var nested = (IDictionary<string, object>)((IDictionary<string, object>)parsed["o"])["k"];
            Assert.AreEqual(0, nested.Count);
        }

        [Test]
        public void ReadsEscapesHangulAndSurrogatePairs()
        {
            // Literal UTF-16 text and \u escapes of the same characters, including an emoji as a surrogate pair.
            var parsed = (IDictionary<string, object>)Json.Parse(
                "{\"raw\":\"홍길동 🍪\",\"esc\":\"\\ud64d\\uae38\\ub3d9 \\ud83c\\udf6a\",\"ctl\":\"a\\\"b\\\\c\\/d\\n\\r\\t\\b\\f\\u0001\"}");
            Assert.AreEqual("홍길동 🍪", parsed["raw"]);
            Assert.AreEqual("홍길동 🍪", parsed["esc"]);
            Assert.AreEqual("a\"b\\c/d\n\r\t\b\f\u0001", parsed["ctl"]);
        }

        [Test]
        public void WritesEscapesAndKeepsUnicode()
        {
            string text = Json.Write(new Dictionary<string, object>
            {
                { "name", "홍길동 🍪" }, { "quote", "say \"hi\"\\" }, { "ctl", "a\nb\u0001\u001f\t" },
            });
            Assert.AreEqual("{\"name\":\"홍길동 🍪\",\"quote\":\"say \\\"hi\\\"\\\\\",\"ctl\":\"a\\nb\\u0001\\u001f\\t\"}", text);
            // And the UTF-8 bytes of the emoji are the 4-byte form, not two 3-byte surrogates.
            byte[] utf8 = Encoding.UTF8.GetBytes(Json.Write("🍪"));
            CollectionAssert.AreEqual(new byte[] { 0x22, 0xF0, 0x9F, 0x8D, 0xAA, 0x22 }, utf8);
        }

        [Test]
        public void EscapesLoneSurrogatesInsteadOfReplacingThem()
        {
            Assert.AreEqual("\"a\\ud83cb\"", Json.Write("a\ud83cb"));
            Assert.AreEqual("\"\\udf6a\"", Json.Write("\udf6a"));
        }

        [Test]
        public void WritesNumbersInInvariantCultureAndNestedValues()
        {
            var previous = System.Threading.Thread.CurrentThread.CurrentCulture;
            try
            {
                // A culture with a decimal comma must not leak into JSON.
                System.Threading.Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
                string text = Json.Write(new Dictionary<string, object>
                {
                    { "i", 9900 }, { "l", -5L }, { "d", 1.25 }, { "m", 10.5m }, { "b", true }, { "n", null },
                    { "list", new object[] { 1, "x", new List<string> { "y" } } },
                    { "obj", new Dictionary<string, object> { { "k", new Dictionary<string, int> { { "z", 1 } } } } },
                });
                Assert.AreEqual("{\"i\":9900,\"l\":-5,\"d\":1.25,\"m\":10.5,\"b\":true,\"n\":null,"
                    + "\"list\":[1,\"x\",[\"y\"]],\"obj\":{\"k\":{\"z\":1}}}", text);
            }
            finally
            {
                System.Threading.Thread.CurrentThread.CurrentCulture = previous;
            }
        }

        [Test]
        public void RoundTripsNestedUnicode()
        {
            var original = new Dictionary<string, object>
            {
                { "키", new List<object> { "값 😀", 1L, 2.5, false, null, new Dictionary<string, object> { { "깊이", "✓\u2028" } } } },
            };
            var back = (IDictionary<string, object>)Json.Parse(Json.Write(original));
            var list = (List<object>)back["키"];
            Assert.AreEqual("값 😀", list[0]);
            Assert.AreEqual(1L, list[1]);
            Assert.AreEqual(2.5, list[2]);
            Assert.AreEqual(false, list[3]);
            Assert.IsNull(list[4]);
            Assert.AreEqual("✓\u2028", ((IDictionary<string, object>)list[5])["깊이"]);
        }

        [TestCase("")]
        [TestCase("{")]
        [TestCase("{\"a\":}")]
        [TestCase("{\"a\":1,}")]
        [TestCase("[1 2]")]
        [TestCase("\"unterminated")]
        [TestCase("\"bad \\x escape\"")]
        [TestCase("\"short \\u12\"")]
        [TestCase("tru")]
        [TestCase("-")]
        [TestCase("1.")]
        [TestCase("{} extra")]
        [TestCase("\"raw\ncontrol\"")]
        public void RejectsMalformedText(string text)
        {
            Assert.Throws<FormatException>(() => Json.Parse(text));
        }

        [Test]
        public void RejectsValuesJsonCannotHold()
        {
            Assert.Throws<ArgumentException>(() => Json.Write(double.NaN));
            Assert.Throws<ArgumentException>(() => Json.Write(new Dictionary<int, string> { { 1, "x" } }));
            Assert.Throws<ArgumentException>(() => Json.Write(new object()));
        }
    }
}
