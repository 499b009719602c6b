// Where the native library is found and what a missing one does, on the runtime running this suite
// (test.sh runs it on Mono and on CoreCLR): a child process (runner/LoadProbe.cs) starts with the library
// missing from the layout a user's app has, then the file is put in place.

using System;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using NUnit.Framework;

namespace CookiePay.Tests
{
    [TestFixture]
    public class LibraryLoadTests
    {
        private static bool OnCoreClr
        {
            get { return Type.GetType("System.Runtime.InteropServices.NativeLibrary", false) != null; }
        }

        private string dir;

        [SetUp]
        public void MakeAppFolder()
        {
            dir = Path.Combine(Path.GetTempPath(), "cookiepay-load-" + Process.GetCurrentProcess().Id + "-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
        }

        [TearDown]
        public void RemoveAppFolder()
        {
            if (dir != null && Directory.Exists(dir)) Directory.Delete(dir, true);
        }

        [Test]
        public void AMissingLibraryNamesTheFileAndTheNextCallLoadsItOnceInPlace()
        {
            string tests = Path.GetDirectoryName(typeof(LibraryLoadTests).Assembly.Location);
            File.Copy(Path.Combine(tests, "CookiePay.dll"), Path.Combine(dir, "CookiePay.dll"));
            File.Copy(Path.Combine(tests, "CookiePay.LoadProbe.dll"), Path.Combine(dir, "CookiePay.LoadProbe.dll"));
            string target;
            if (OnCoreClr)
            {
                // A published portable .NET app: the package's runtimes/ folder beside the assemblies.
                File.Copy(Path.Combine(tests, "CookiePay.LoadProbe.runtimeconfig.json"), Path.Combine(dir, "CookiePay.LoadProbe.runtimeconfig.json"));
                target = Path.Combine(dir, "runtimes", NativeLoader.Rids()[0], "native", "libcookiepay.so");
            }
            else
            {
                // Mono: the package's own dllmap, and bin/libcookiepay.so where its .targets copies it.
                File.Copy(RepoFile("bindings/dotnet/CookiePay.dll.config"), Path.Combine(dir, "CookiePay.dll.config"));
                target = Path.Combine(dir, "libcookiepay.so");
            }

            string output = Probe(Path.Combine(dir, "CookiePay.LoadProbe.dll"), LibraryUnderTest(), target);

            StringAssert.Contains("missing 1: library: The CookiePay native library libcookiepay.so could not be loaded", output);
            StringAssert.Contains("missing 2: library: The CookiePay native library libcookiepay.so could not be loaded", output);
            StringAssert.Contains("in place: loaded " + CookiePayClient.LibraryVersion + ", parsed 0000", output);
            if (OnCoreClr) StringAssert.Contains(target, output, "the message says where it was looked for");
        }

        [Test]
        public void TheRuntimeIdentifiersAreNuGetsForThisMachine()
        {
            string[] rids = NativeLoader.Rids();
            Assert.That(rids.Length, Is.GreaterThan(0));
            string arch = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "arm64" : "x64";
            Assert.AreEqual("linux-" + arch, rids[rids.Length - 1]);
            // A glibc process looks in linux-x64 first, even where musl is installed beside (as on the
            // machines that build the musl library).
            if (File.ReadAllText("/proc/self/maps").Contains("/libc.so.6")) Assert.AreEqual(new[] { "linux-" + arch }, rids);
            Assert.AreEqual("libcookiepay.so", NativeLoader.FileName());
        }

        [Test]
        public void TheAssemblyCarriesThePackageVersionAndItsDocumentation()
        {
            string cargo = File.ReadAllText(RepoFile("Cargo.toml"));
            var m = System.Text.RegularExpressions.Regex.Match(cargo, "(?m)^version = \"([0-9]+\\.[0-9]+\\.[0-9]+)\"");
            Assert.IsTrue(m.Success, "Cargo.toml's version");
            Assembly binding = typeof(CookiePayClient).Assembly;
            Assert.AreEqual(new Version(m.Groups[1].Value + ".0"), binding.GetName().Version);
            var informational = (AssemblyInformationalVersionAttribute)Attribute.GetCustomAttribute(binding, typeof(AssemblyInformationalVersionAttribute));
            Assert.IsNotNull(informational);
            Assert.AreEqual(m.Groups[1].Value, informational.InformationalVersion);
            StringAssert.Contains("<Version>" + m.Groups[1].Value + "</Version>", File.ReadAllText(RepoFile("bindings/dotnet/CookiePay.csproj")),
                "the SDK's `dotnet pack` versions the package the same");
            string xml = Path.ChangeExtension(binding.Location, ".xml");
            Assert.IsTrue(File.Exists(xml), xml);
            StringAssert.Contains("<member name=\"T:CookiePay.CookiePayClient\">", File.ReadAllText(xml));
        }

        private static string LibraryUnderTest()
        {
            string lib = Environment.GetEnvironmentVariable("COOKIEPAY_LIB");
            Assert.IsFalse(string.IsNullOrEmpty(lib), "COOKIEPAY_LIB names the library under test (test.sh sets it)");
            Assert.IsTrue(File.Exists(lib), lib);
            return lib;
        }

        internal static string RepoFile(string relative)
        {
            for (var d = new DirectoryInfo(Path.GetDirectoryName(typeof(LibraryLoadTests).Assembly.Location)); d != null; d = d.Parent)
            {
                string candidate = Path.Combine(d.FullName, relative);
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException(relative + " not found above the test assembly");
        }

        // The probe on the runtime running this test: `mono probe` or `dotnet exec probe`.
        private static string Probe(string probe, string source, string target)
        {
            string host = Process.GetCurrentProcess().MainModule.FileName;
            string args = (OnCoreClr ? "exec " : "") + Quote(probe) + " " + Quote(source) + " " + Quote(target);
            var start = new ProcessStartInfo(host, args)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using (Process child = Process.Start(start))
            {
                var stderr = child.StandardError.ReadToEndAsync();
                string output = child.StandardOutput.ReadToEnd();
                child.WaitForExit();
                Assert.AreEqual(0, child.ExitCode, host + " " + args + " said:\n" + output + stderr.Result);
                return output;
            }
        }

        private static string Quote(string s)
        {
            return "\"" + s + "\"";
        }
    }
}
