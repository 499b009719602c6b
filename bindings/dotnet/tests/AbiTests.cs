using System;
using System.IO;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace CookiePay.Tests
{
    /// <summary>The ABI check at load (src/NativeLoader.cs): the library under test passes it, and a library
    /// of another ABI is refused with a message naming both versions.</summary>
    [TestFixture]
    public class AbiTests
    {
        [Test]
        public void TheBindingsAbiIsTheHeaders()
        {
            string dir = AppDomain.CurrentDomain.BaseDirectory;
            string header = null;
            for (var d = new DirectoryInfo(dir); d != null; d = d.Parent)
            {
                string candidate = Path.Combine(Path.Combine(d.FullName, "include"), "cookiepay.h");
                if (File.Exists(candidate)) { header = candidate; break; }
            }
            Assert.IsNotNull(header, "include/cookiepay.h above " + dir);
            Match m = Regex.Match(File.ReadAllText(header), @"#define COOKIEPAY_ABI_VERSION (\d+)");
            Assert.IsTrue(m.Success);
            Assert.AreEqual(m.Groups[1].Value, NativeLoader.AbiVersion.ToString());
        }

        [Test]
        public void TheLibraryUnderTestPassesTheCheck()
        {
            Assert.IsTrue(NativeLoader.EnsureLoaded());
            Assert.IsNotEmpty(CookiePayClient.LibraryVersion);
        }

        [Test]
        public void AnotherAbiIsRefusedWithBothVersions()
        {
            NativeLoader.Check(NativeLoader.AbiVersion);
            var e = Assert.Throws<CookiePayLibraryException>(() => NativeLoader.Check(NativeLoader.AbiVersion + 98));
            Assert.AreEqual("library", e.Kind);
            StringAssert.Contains("implements C ABI " + (NativeLoader.AbiVersion + 98), e.Message);
            StringAssert.Contains("needs ABI " + NativeLoader.AbiVersion, e.Message);
        }
    }
}
