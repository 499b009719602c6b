// Loading libcookiepay, the same way on every runtime the package targets, and retryable: nothing here
// is a static initializer, so a failed load is a CookiePayLibraryException on this call and the next
// call tries again (a static initializer's failure would be a TypeInitializationException until the
// process, on IIS the app pool, restarts).
// - CoreCLR (.NET Core 3+, .NET 5+): a DllImport resolver, registered through reflection (this assembly
//   targets net461, which has no NativeLibrary), finds runtimes/<rid>/native/ next to the assembly or the
//   application, as a published app or a plain copy of the package lays it out; otherwise CoreCLR's own
//   probing (the assembly's folder, then the system's).
// - .NET Framework on Windows: the DLL of the process's bitness, from bin\x64\ or bin\x86\ (the
//   package's .targets copies both: an AnyCPU site runs as the IIS pool decides).
// - Mono: the dllmap in CookiePay.dll.config; the package's .targets copies the Linux library into bin\.
//   Mono remembers a DllImport that failed for the life of the process, so on Linux the binding first
//   opens the file itself (dlopen, where Mono would look) and touches no DllImport until that works.
// Then, everywhere, the check that the library implements this binding's C ABI.

using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace CookiePay
{
    internal static class NativeLoader
    {
        /// <summary>The C ABI this binding is written for (COOKIEPAY_ABI_VERSION of include/cookiepay.h).</summary>
        internal const uint AbiVersion = 1;

        /// <summary>The name every DllImport of this binding uses.</summary>
        internal const string LibraryName = "cookiepay";

        private static readonly object Gate = new object();
        private static volatile bool loaded;
        private static bool resolverTried;
        private static volatile string resolvedPath;

        /// <summary>Before the first call into the library. Throws CookiePayLibraryException every time (not
        /// just once) while the library cannot be used: not found, not loadable, or another ABI.</summary>
        internal static bool EnsureLoaded()
        {
            if (loaded) return true;
            lock (Gate)
            {
                if (loaded) return true;
                if (!resolverTried)
                {
                    resolverTried = true;
                    InstallCoreClrResolver();
                }
                uint abi;
                try
                {
                    PreloadWindowsBitness();
                    PreflightMono();
                    abi = ReadAbi();
                }
                catch (DllNotFoundException e)
                {
                    throw NotLoaded(e);
                }
                catch (BadImageFormatException e)
                {
                    throw NotLoaded(e);
                }
                Check(abi);
                loaded = true;
                return true;
            }
        }

        /// <summary>The library's ABI must be this binding's.</summary>
        internal static void Check(uint libraryAbi)
        {
            if (libraryAbi != AbiVersion)
            {
                throw new CookiePayLibraryException(string.Format(
                    "The loaded {0} implements C ABI {1}, but this CookiePay binding needs ABI {2}: use the "
                    + "native library of the same release as the CookiePay package (its runtimes/ folder, or bin\\x64 "
                    + "and bin\\x86 on .NET Framework).", resolvedPath ?? FileName(), libraryAbi, AbiVersion), null);
            }
        }

        /// <summary>The file DllImport("cookiepay") means on this system.</summary>
        internal static string FileName()
        {
            if (IsWindows()) return "cookiepay.dll";
            return RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "libcookiepay.dylib" : "libcookiepay.so";
        }

        /// <summary>Runtime identifiers whose runtimes/&lt;rid&gt;/native/ may hold this machine's library, most
        /// specific first (NuGet's names: linux-x64, linux-musl-x64, linux-arm64, win-x64, win-x86, osx-arm64).</summary>
        internal static string[] Rids()
        {
            string arch;
            switch (RuntimeInformation.ProcessArchitecture)
            {
                case Architecture.X64: arch = "x64"; break;
                case Architecture.X86: arch = "x86"; break;
                case Architecture.Arm64: arch = "arm64"; break;
                default: arch = "arm"; break;
            }
            if (IsWindows()) return new[] { "win-" + arch };
            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return new[] { "osx-" + arch };
            return IsMusl() ? new[] { "linux-musl-" + arch, "linux-" + arch } : new[] { "linux-" + arch };
        }

        /// <summary>Where this binding looks for the library itself, in order: next to the assembly and the
        /// application, then in their runtimes/&lt;rid&gt;/native/.</summary>
        internal static List<string> Candidates()
        {
            var paths = new List<string>();
            string file = FileName();
            foreach (string dir in CandidateFolders())
            {
                Add(paths, Path.Combine(dir, file));
            }
            foreach (string dir in CandidateFolders())
            {
                foreach (string rid in Rids())
                {
                    Add(paths, Path.Combine(Path.Combine(Path.Combine(Path.Combine(dir, "runtimes"), rid), "native"), file));
                }
            }
            return paths;
        }

        private static void Add(List<string> paths, string path)
        {
            if (!paths.Contains(path)) paths.Add(path);
        }

        private static CookiePayLibraryException NotLoaded(Exception cause)
        {
            string runtime = RuntimeInformation.FrameworkDescription;
            string how = runtime.StartsWith("Mono", StringComparison.Ordinal)
                ? "on Mono, as the dllmap of CookiePay.dll.config beside CookiePay.dll names it, beside CookiePay.dll, then as the system finds it"
                : "it was looked for at " + string.Join(", ", Candidates().ToArray()) + ", then as the runtime and the system find it";
            return new CookiePayLibraryException(string.Format(
                "The CookiePay native library {0} could not be loaded ({1}): {2}. Put the {0} of the same release "
                + "as the CookiePay package there (README \"Library resolution\"); the next call loads it again.",
                FileName(), how, cause.Message), cause);
        }

        // Not inlined: the DllImport's stub must be built after PreflightMono() (see CookiePayClient.NewClient).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static uint ReadAbi()
        {
            try
            {
                return cookiepay_abi_version();
            }
            catch (EntryPointNotFoundException e)
            {
                throw new CookiePayLibraryException(string.Format(
                    "The loaded {0} has no cookiepay_abi_version(): it is older than this CookiePay binding, "
                    + "which needs ABI {1}. Use the native library of the same release as the package.", resolvedPath ?? FileName(), AbiVersion), e);
            }
        }

        // CoreCLR's NativeLibrary.SetDllImportResolver(assembly, resolver), when the runtime has it; Mono and
        // .NET Framework do not (they return here).
        private static void InstallCoreClrResolver()
        {
            Type nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary", false);
            Type resolverType = Type.GetType("System.Runtime.InteropServices.DllImportResolver", false);
            if (nativeLibrary == null || resolverType == null) return;
            MethodInfo set = nativeLibrary.GetMethod("SetDllImportResolver", new[] { typeof(Assembly), resolverType });
            tryLoad = nativeLibrary.GetMethod("TryLoad", new[] { typeof(string), typeof(IntPtr).MakeByRefType() });
            if (set == null || tryLoad == null) return;
            MethodInfo resolve = typeof(NativeLoader).GetMethod("Resolve", BindingFlags.NonPublic | BindingFlags.Static);
            try
            {
                set.Invoke(null, new object[] { typeof(NativeLoader).Assembly, Delegate.CreateDelegate(resolverType, resolve) });
            }
            catch (TargetInvocationException e) when (e.InnerException is InvalidOperationException)
            {
                // A resolver is set already (an application's own): it decides.
            }
        }

        private static MethodInfo tryLoad;

        // The DllImportResolver: IntPtr.Zero lets CoreCLR probe as usual. Called for each load attempt, so
        // a file put in place after a failure is found by the next call.
        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (name != LibraryName) return IntPtr.Zero;
            foreach (string path in Candidates())
            {
                if (!File.Exists(path)) continue;
                var args = new object[] { path, IntPtr.Zero };
                if ((bool)tryLoad.Invoke(null, args))
                {
                    resolvedPath = path;
                    return (IntPtr)args[1];
                }
            }
            return IntPtr.Zero;
        }

        // Mono's places for DllImport("cookiepay") on Linux: the dllmap's target (CookiePay.dll.config), an
        // absolute path as is, a bare name beside the assembly and then as the system finds it. A failure
        // here leaves Mono's own DllImport untouched, so the next call tries again.
        private static void PreflightMono()
        {
            if (IsWindows() || Type.GetType("Mono.Runtime", false) == null || !RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return;
            string target = MonoDllmapTarget() ?? FileName();
            var tried = new List<string>();
            if (Path.IsPathRooted(target))
            {
                tried.Add(target);
            }
            else
            {
                foreach (string dir in CandidateFolders()) Add(tried, Path.Combine(dir, target));
                tried.Add(target);
            }
            string error = null;
            foreach (string path in tried)
            {
                IntPtr handle;
                try
                {
                    handle = dlopen(path, RtldNow);
                }
                catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
                {
                    return; // no libdl to ask (not glibc): Mono's DllImport decides, once
                }
                if (handle != IntPtr.Zero)
                {
                    resolvedPath = path;
                    return; // stays open: Mono's own dlopen of the same path shares it
                }
                IntPtr text = dlerror();
                if (error == null && text != IntPtr.Zero) error = Marshal.PtrToStringAnsi(text);
            }
            throw new DllNotFoundException(string.Format("tried {0}: {1}", string.Join(", ", tried.ToArray()), error ?? "not found"));
        }

        // The linux dllmap of "cookiepay" in CookiePay.dll.config beside the assembly, if any.
        private static string MonoDllmapTarget()
        {
            try
            {
                string config = typeof(NativeLoader).Assembly.Location + ".config";
                if (!File.Exists(config)) return null;
                foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(config), "<dllmap\\s[^>]*>"))
                {
                    string tag = m.Value;
                    if (Attr(tag, "dll") == LibraryName && Attr(tag, "os") == "linux") return Attr(tag, "target");
                }
            }
            catch (IOException)
            {
            }
            return null;
        }

        private static string Attr(string tag, string name)
        {
            var m = System.Text.RegularExpressions.Regex.Match(tag, "\\s" + name + "=\"([^\"]*)\"");
            return m.Success ? m.Groups[1].Value : null;
        }

        private const int RtldNow = 2;

        [DllImport("libdl.so.2", CharSet = CharSet.Ansi, ExactSpelling = true)]
        private static extern IntPtr dlopen(string path, int flags);

        [DllImport("libdl.so.2", ExactSpelling = true)]
        private static extern IntPtr dlerror();

        private static bool IsWindows()
        {
            return Environment.OSVersion.Platform == PlatformID.Win32NT;
        }

        // On musl (Alpine) the process runs on musl's loader, /lib/ld-musl-<arch>.so.1; a glibc machine may have
        // musl installed beside, so the loader of this process is what counts.
        private static bool IsMusl()
        {
            try
            {
                return File.ReadAllText("/proc/self/maps").Contains("/ld-musl-");
            }
            catch (Exception)
            {
                return false;
            }
        }

        // An already-loaded module of the same name is what DllImport("cookiepay") then binds to.
        private static void PreloadWindowsBitness()
        {
            if (!IsWindows()) return;
            string bitness = IntPtr.Size == 8 ? "x64" : "x86";
            foreach (string dir in CandidateFolders())
            {
                string path = Path.Combine(Path.Combine(dir, bitness), "cookiepay.dll");
                if (!File.Exists(path)) continue;
                if (LoadLibraryW(path) == IntPtr.Zero)
                {
                    throw new DllNotFoundException(string.Format("cannot load {0} (Windows error {1})", path, Marshal.GetLastWin32Error()));
                }
                resolvedPath = path;
                return;
            }
            // Otherwise cookiepay.dll next to the application (or on PATH), as Windows finds it.
        }

        private static string[] CandidateFolders()
        {
            var folders = new List<string>();
            try
            {
                // The assembly's own folder first: a published app and a test runner keep it there.
                string location = typeof(NativeLoader).Assembly.Location;
                if (!string.IsNullOrEmpty(location)) Add(folders, Path.GetDirectoryName(location));
            }
            catch (Exception)
            {
                // No file behind the assembly: the folders below will do.
            }
            AppDomain domain = AppDomain.CurrentDomain;
            // ASP.NET: bin\ (the assembly itself runs from a shadow copy).
            if (!string.IsNullOrEmpty(domain.RelativeSearchPath))
            {
                foreach (string part in domain.RelativeSearchPath.Split(';'))
                {
                    if (part.Length > 0) Add(folders, Path.Combine(domain.BaseDirectory, part));
                }
            }
            if (!string.IsNullOrEmpty(domain.BaseDirectory)) Add(folders, domain.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            try
            {
                Add(folders, Path.GetDirectoryName(new Uri(typeof(NativeLoader).Assembly.CodeBase).LocalPath));
            }
            catch (Exception)
            {
                // No file behind the assembly: the folders above will do.
            }
            return folders.ToArray();
        }

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true, ExactSpelling = true)]
        private static extern IntPtr LoadLibraryW(string path);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        private static extern uint cookiepay_abi_version();
    }
}
