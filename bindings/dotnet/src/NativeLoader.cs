// Loading libcookiepay: on .NET Framework under Windows, the DLL of the process's bitness (the package's
// .targets copies both, to bin\x64\ and bin\x86\: an AnyCPU site runs as the IIS pool decides); then,
// everywhere, the check that the library implements this binding's C ABI.

using System;
using System.IO;
using System.Runtime.InteropServices;

namespace CookiePay
{
    internal static class NativeLoader
    {
        /// <summary>The C ABI this binding is written for (COOKIEPAY_ABI_VERSION of include/cookiepay.h).</summary>
        internal const uint AbiVersion = 1;

        private static readonly object Gate = new object();
        private static bool loaded;

        /// <summary>Before the first call into the library. Throws (every time, not just once) when the
        /// library cannot be used: DllNotFoundException, or InvalidOperationException for another ABI.</summary>
        internal static bool EnsureLoaded()
        {
            lock (Gate)
            {
                if (loaded) return true;
                PreloadWindowsBitness();
                Check(ReadAbi());
                loaded = true;
                return true;
            }
        }

        /// <summary>The library's ABI must be this binding's.</summary>
        internal static void Check(uint libraryAbi)
        {
            if (libraryAbi != AbiVersion)
            {
                throw new InvalidOperationException(string.Format(
                    "The loaded libcookiepay implements C ABI {0}, but this CookiePay binding needs ABI {1}: use the "
                    + "native library of the same release as the CookiePay package (its runtimes/ folder, or bin\\x64 "
                    + "and bin\\x86 on .NET Framework).", libraryAbi, AbiVersion));
            }
        }

        private static uint ReadAbi()
        {
            try
            {
                return cookiepay_abi_version();
            }
            catch (EntryPointNotFoundException e)
            {
                throw new InvalidOperationException(string.Format(
                    "The loaded libcookiepay has no cookiepay_abi_version(): it is older than this CookiePay binding, "
                    + "which needs ABI {0}. Use the native library of the same release as the package.", AbiVersion), e);
            }
        }

        // An already-loaded module of the same name is what DllImport("cookiepay") then binds to.
        private static void PreloadWindowsBitness()
        {
            if (Environment.OSVersion.Platform != PlatformID.Win32NT) return;
            string bitness = IntPtr.Size == 8 ? "x64" : "x86";
            foreach (string dir in CandidateFolders())
            {
                string path = Path.Combine(Path.Combine(dir, bitness), "cookiepay.dll");
                if (!File.Exists(path)) continue;
                if (LoadLibraryW(path) == IntPtr.Zero)
                {
                    throw new DllNotFoundException(string.Format("cannot load {0} (Windows error {1})", path, Marshal.GetLastWin32Error()));
                }
                return;
            }
            // Otherwise cookiepay.dll next to the application (or on PATH), as Windows finds it.
        }

        private static string[] CandidateFolders()
        {
            var folders = new System.Collections.Generic.List<string>();
            AppDomain domain = AppDomain.CurrentDomain;
            // ASP.NET: bin\ (the assembly itself runs from a shadow copy).
            if (!string.IsNullOrEmpty(domain.RelativeSearchPath))
            {
                foreach (string part in domain.RelativeSearchPath.Split(';'))
                {
                    if (part.Length > 0) folders.Add(Path.Combine(domain.BaseDirectory, part));
                }
            }
            folders.Add(domain.BaseDirectory);
            try
            {
                folders.Add(Path.GetDirectoryName(new Uri(typeof(NativeLoader).Assembly.CodeBase).LocalPath));
            }
            catch (Exception)
            {
                // No file behind the assembly: the folders above will do.
            }
            return folders.ToArray();
        }

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true, ExactSpelling = true)]
        private static extern IntPtr LoadLibraryW(string path);

        [DllImport("cookiepay", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        private static extern uint cookiepay_abi_version();
    }
}
